import { ReplyError } from 'ioredis';

/** What a feature that needs Redis answers while Redis can't be reached. HTTP routes answer 503 with it (Fastify
 * takes the status from the error); socket handlers answer `internal`. The message names no address or credential. */
export class RedisUnavailableError extends Error {
  readonly statusCode = 503;

  constructor(what: string, options?: { cause?: unknown }) {
    super(`Redis is unreachable: ${what}`, options);
    this.name = 'RedisUnavailableError';
  }
}

/** Replies that mean "not now" rather than a mistake in the command: a server loading its data, a busy script, a
 * replica that is not (or no longer) the primary. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN)\b/;

/** Errors of the connection (refused, closed, timed out) and transient replies. A reply refusing the command itself
 * (a wrong type, a script error) is a bug, and is left as it is. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return !(err instanceof ReplyError) || TRANSIENT_REPLY.test(err.message);
}

/** Runs a Redis call, turning unavailability into RedisUnavailableError. */
export async function needRedis<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw isUnavailable(err) ? new RedisUnavailableError(what, { cause: err }) : err;
  }
}
