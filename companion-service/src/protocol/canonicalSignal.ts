import { GENERATION_MAX, ID_CHARS, SignalLimits } from './messages';

/* The relay's fast path. Almost every frame a call sends is a `signal`, and almost all of them are written by our
 * own clients in one canonical form: JSON.stringify of {type, from, to, gen, data} around simple-peer's signal object, with
 * no whitespace and keys in a fixed order. For that form one anchored regular expression both recognises and
 * validates the frame, without building the object tree, the SDP string and the schema check that JSON.parse plus
 * TypeBox cost on every message (measured in docs/benchmarks.md).
 *
 * It only ever accepts a subset of what the schema accepts (a test compares the two on thousands of frames); any
 * other spelling (whitespace, another key order, a renegotiation, a string whose JSON text is over its limit) returns
 * undefined and goes through parseClientMessage, which stays the authority. The relay forwards the frame's own
 * bytes, so the reader needs to return only what routing uses. */

/** What the relay needs of a validated `signal`: who says they sent it, where it goes, for which pair generation. */
export interface SignalHeader {
  type: 'signal';
  from: string;
  to: string;
  gen: number;
}

/** A JSON string's body: characters JSON allows unescaped (anything but `"`, `\` and control characters) and valid
 * escapes. Written as "unrolled loop" (runs of plain characters between escapes) so it needs no backtracking. */
const STRING_BODY = String.raw`[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*`;

/* Numbered groups, in this order (named groups come back as a dictionary-mode object, slow to read per message). */
const FROM = 1;
const TO = 2;
const GEN = 3;
const SDP = 4;
const CANDIDATE = 5;
const LINE_INDEX = 6;
const MID = 7;
const USERNAME_FRAGMENT = 8;

const quoted = `"(${STRING_BODY})"`;
const optionalKey = (key: string, value: string) => `(?:,"${key}":(?:${value}|null))?`;

const DESCRIPTION_DATA = `\\{"type":"(?:offer|answer)","sdp":${quoted}\\}`;
const CANDIDATE_DATA =
  `\\{"type":"candidate","candidate":\\{"candidate":${quoted}` +
  optionalKey('sdpMLineIndex', '(0|[1-9][0-9]{0,3})') +
  optionalKey('sdpMid', quoted) +
  optionalKey('usernameFragment', quoted) +
  '\\}\\}';

const CANONICAL_SIGNAL = new RegExp(
  `^\\{"type":"signal","from":"(${ID_CHARS})","to":"(${ID_CHARS})","gen":([1-9][0-9]{0,6}),"data":(?:${DESCRIPTION_DATA}|${CANDIDATE_DATA})\\}$`,
);

/** A string's length as JSON text is never less than its length once parsed (an escape or a multi-byte character
 * stands for at most as many UTF-16 units as it is long), so a body within the limit is a string within it. */
const within = (body: string | undefined, limit: number) => body === undefined || body.length <= limit;

/** The header of a `signal` frame in canonical form, or undefined when the frame must take the full parse. */
export function readCanonicalSignal(text: string): SignalHeader | undefined {
  const match = CANONICAL_SIGNAL.exec(text);
  if (!match) return undefined;
  const gen = Number(match[GEN]);
  const lineIndex = match[LINE_INDEX];
  const fits =
    gen <= GENERATION_MAX &&
    within(match[SDP], SignalLimits.sdp) &&
    within(match[CANDIDATE], SignalLimits.candidate) &&
    within(match[MID], SignalLimits.sdpMid) &&
    within(match[USERNAME_FRAGMENT], SignalLimits.usernameFragment) &&
    (lineIndex === undefined || Number(lineIndex) <= SignalLimits.sdpMLineIndex);
  return fits ? { type: 'signal', from: match[FROM] as string, to: match[TO] as string, gen } : undefined;
}
