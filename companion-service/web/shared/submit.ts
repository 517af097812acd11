import type { ClientMessage, ErrorMessage, RequestType } from '../../src/protocol/messages';
import type { SignalingClient } from './signalingClient';

/* Messages that have no answer of their own (media.set, guest.admit, control.request, ...): the server answers them
 * only with a refusal, an `error` whose `replyTo` is the message's id. Each part of a page hears about its own
 * refusals this way, instead of every page routing errors by the type they reply to. */

type WithoutId<M> = M extends unknown ? Omit<M, 'id'> : never;
/** A message the server answers only when it refuses it (those with replies go through `request`). */
export type UnansweredMessage = WithoutId<Exclude<ClientMessage, { type: RequestType | 'signal' }>>;

let sent = 0;
const nextId = (prefix: string) => `${prefix}${++sent}`;

/** Sends the message and resolves with its refusal, or undefined once the server has taken it: the answer to a
 * probe sent right after it comes after any refusal, since a socket's messages are handled and answered in order.
 * Rejects when the socket is not open or closes first. */
export async function submit(client: SignalingClient, message: UnansweredMessage): Promise<ErrorMessage | undefined> {
  const id = nextId('s');
  let refusal: ErrorMessage | undefined;
  const off = client.on('error', (m) => {
    if (m.replyTo === id) refusal = m;
  });
  try {
    client.send({ ...message, id } as ClientMessage);
    await client.request({ type: 'probe' });
    return refusal;
  } finally {
    off();
  }
}

/** For a stream of messages (remote control's input, many a second), where a probe after each would double the
 * traffic: each is sent with an id of this stream, and a refusal of any of them is handed to `refused`. */
export function refusalsOf(
  client: SignalingClient,
  refused: (m: ErrorMessage) => void,
): { send(message: UnansweredMessage): void; stop(): void } {
  const prefix = nextId('f');
  const off = client.on('error', (m) => {
    if (m.replyTo?.startsWith(`${prefix}-`)) refused(m);
  });
  let count = 0;
  return {
    send: (message) => client.send({ ...message, id: `${prefix}-${++count}` } as ClientMessage),
    stop: off,
  };
}
