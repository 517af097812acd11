import { ByteSlab } from './byteSlab';

/** The relayed form of a `signal` is the sender's own frame, already validated against `SignalOut`, with the
 * server-set `from` put first. Forwarding the sender's bytes instead of re-serialising the parsed value keeps the
 * relay's hot path free of a JSON.stringify of every SDP and of encoding it again. `from` cannot be forged:
 * `SignalOut` admits no other keys, so the only `from` in the result is the server's. Duplicate keys read the same
 * on both ends (JSON.parse keeps the last).
 *
 * The part that depends only on the sender; the relay builds it once per route. */
export function signalPrefix(from: string): Buffer {
  return Buffer.from(`{"from":${JSON.stringify(from)},`);
}

const OPEN_BRACE = 0x7b;

/** 64 KB: seventeen SDP-sized frames per slab, and little pinned by a socket whose writes are stuck. */
const relayedFrames = new ByteSlab(64 * 1024);

/** The message the recipient gets: `prefix` from `signalPrefix`, then the sender's frame after its opening brace. */
export function withSignalPrefix(prefix: Buffer, validatedFrame: Buffer): Buffer {
  // A frame that parsed to an object starts with optional whitespace and '{', all single bytes in UTF-8. Ours start
  // with the brace; Buffer#indexOf is a call into C++.
  const rest = validatedFrame[0] === OPEN_BRACE ? 1 : validatedFrame.indexOf(OPEN_BRACE) + 1;
  const relayed = relayedFrames.take(prefix.length + validatedFrame.length - rest);
  const frameAt = prefix.length - rest;
  if (frameAt >= 0) {
    // The whole frame, then the prefix over its opening brace: two plain copies, no view of the frame's tail.
    relayed.set(validatedFrame, frameAt);
    relayed.set(prefix, 0);
  } else {
    // More whitespace before the brace than the prefix is long (only a hand-written frame has that).
    prefix.copy(relayed, 0);
    validatedFrame.copy(relayed, prefix.length, rest);
  }
  return relayed;
}
