import { GENERATION_MAX, ID_CHARS, SignalLimits } from './messages';

/* The relay's fast path. Almost every frame a call sends is a `signal`, and almost all of them are written by our
 * own clients in one canonical form: JSON.stringify of {type, to, gen, data} around simple-peer's signal object, with
 * no whitespace and keys in a fixed order. For that form one anchored regular expression both recognises and
 * validates the frame, without building the object tree, the SDP string and the schema check that JSON.parse plus
 * TypeBox cost on every message (measured in docs/benchmarks.md).
 *
 * It only ever accepts a subset of what the schema accepts (a test compares the two on thousands of frames); any
 * other spelling (whitespace, another key order, a renegotiation, a value at or over a limit) returns undefined and
 * goes through parseClientMessage, which stays the authority. The relay forwards the frame's own bytes, so the
 * reader needs to return only what routing uses. */

/** What the relay needs of a validated `signal`: where it goes and for which pair generation. */
export interface SignalHeader {
  type: 'signal';
  to: string;
  gen: number;
}

/** A JSON string's body: characters JSON allows unescaped (anything but `"`, `\` and control characters) and valid
 * escapes. Written as "unrolled loop" (runs of plain characters between escapes) so it needs no backtracking. */
const STRING_BODY = String.raw`[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*`;

const quoted = (name: string) => `"(?<${name}>${STRING_BODY})"`;
const optionalKey = (key: string, value: string) => `(?:,"${key}":(?:${value}|null))?`;

const DESCRIPTION = `\\{"type":"(?:offer|answer)","sdp":${quoted('sdp')}\\}`;
const CANDIDATE =
  `\\{"type":"candidate","candidate":\\{"candidate":${quoted('candidate')}` +
  optionalKey('sdpMLineIndex', '(?<sdpMLineIndex>0|[1-9][0-9]{0,3})') +
  optionalKey('sdpMid', quoted('sdpMid')) +
  optionalKey('usernameFragment', quoted('usernameFragment')) +
  '\\}\\}';

const CANONICAL_SIGNAL = new RegExp(
  `^\\{"type":"signal","to":"(?<to>${ID_CHARS})","gen":(?<gen>[1-9][0-9]{0,6}),"data":(?:${DESCRIPTION}|${CANDIDATE})\\}$`,
);

/** A string's length as JSON text is never less than its length once parsed (an escape or a multi-byte character
 * stands for at most as many UTF-16 units as it is long), so a body within the limit is a string within it. */
const within = (body: string | undefined, limit: number) => body === undefined || body.length <= limit;

/** The header of a `signal` frame in canonical form, or undefined when the frame must take the full parse. */
export function readCanonicalSignal(text: string): SignalHeader | undefined {
  const groups = CANONICAL_SIGNAL.exec(text)?.groups;
  if (!groups) return undefined;
  const gen = Number(groups.gen);
  const lineIndex = groups.sdpMLineIndex;
  const fits =
    gen <= GENERATION_MAX &&
    within(groups.sdp, SignalLimits.sdp) &&
    within(groups.candidate, SignalLimits.candidate) &&
    within(groups.sdpMid, SignalLimits.sdpMid) &&
    within(groups.usernameFragment, SignalLimits.usernameFragment) &&
    (lineIndex === undefined || Number(lineIndex) <= SignalLimits.sdpMLineIndex);
  return fits ? { type: 'signal', to: groups.to as string, gen } : undefined;
}
