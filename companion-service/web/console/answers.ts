import { ErrorCode } from '../../src/protocol/codes';
import type { ErrorMessage } from '../../src/protocol/messages';

/* The console asks the service and awaits its answer (SignalingClient.request, shared/submit.ts). When no answer
 * comes at all (the connection dropped or is being restored), the panel that asked says so where a refusal would be. */

const NO_ANSWER: ErrorMessage = {
  type: 'error',
  code: ErrorCode.Internal,
  message: 'The service did not answer. Check your connection and try again.',
};

/** The answer, with none at all read as a refusal in those words. */
export function answerOf<T>(asked: Promise<T>): Promise<T | ErrorMessage> {
  return asked.catch(() => NO_ANSWER);
}
