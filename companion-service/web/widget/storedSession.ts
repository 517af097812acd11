/* What the widget keeps about the visitor's call so the next page of the same tab can resume it: the resume token
 * and what the call screen needs to look the same. Pure logic only (no storage access), so it can be tested without
 * a browser. Stored text is untrusted input: another script on the page can write anything under our key, so it is
 * parsed with limits on size and shape, and anything else is treated as "nothing stored". */

export interface StoredSession {
  v: 1;
  /** The server's resume token for our seat in the session (base64url). */
  resumeToken: string;
  sessionId: string;
  role: 'visitor';
  flow: 'code' | 'invited';
  /** The agent the visitor accepted (1-click), for the waiting message. */
  agentName?: string;
  /** Code flow: when the code stops working, to show it again while no agent has joined. */
  codeExpiresAt?: number;
  /** The camera in use (a deviceId), reopened after the page load. */
  camera?: string;
  /** Larger video, and whether the video area is shown. */
  large: boolean;
  videoAreaShown: boolean;
  /** Set when the page holding the seat went away (reload or navigation in this tab). A record without it was
   * copied from a tab that is still live (window.open, target=_blank, duplicate tab): it must not be resumed. */
  parkedAt?: number;
}

/** More than any real record; longer text is not parsed at all. */
export const MAX_STORED_CHARS = 2048;
/** The server's grace period is at most 600 s; a page gone longer than that cannot have its seat any more. */
export const MAX_PARKED_MS = 600_000;
/** Clocks do not run backwards much; a parkedAt in the future is someone else's doing. */
const CLOCK_SKEW_MS = 5_000;

const KEYS = new Set([
  'v',
  'resumeToken',
  'sessionId',
  'role',
  'flow',
  'agentName',
  'codeExpiresAt',
  'camera',
  'large',
  'videoAreaShown',
  'parkedAt',
]);
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const ID = /^[A-Za-z0-9_-]{8,64}$/;
const PRINTABLE = new RegExp('^[^\\u0000-\\u001f\\u007f]+$');

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max && PRINTABLE.test(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** The record in `raw`, or undefined when it is missing, too large or not exactly the expected shape. */
export function parseStoredSession(raw: string | null | undefined): StoredSession | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_STORED_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (Object.keys(r).some((k) => !KEYS.has(k))) return undefined;
  if (r.v !== 1 || r.role !== 'visitor' || (r.flow !== 'code' && r.flow !== 'invited')) return undefined;
  if (typeof r.resumeToken !== 'string' || !TOKEN.test(r.resumeToken)) return undefined;
  if (typeof r.sessionId !== 'string' || !ID.test(r.sessionId)) return undefined;
  if (typeof r.large !== 'boolean' || typeof r.videoAreaShown !== 'boolean') return undefined;
  if (r.agentName !== undefined && !isText(r.agentName, 80)) return undefined;
  if (r.camera !== undefined && !isText(r.camera, 256)) return undefined;
  if (r.codeExpiresAt !== undefined && !isTime(r.codeExpiresAt)) return undefined;
  if (r.parkedAt !== undefined && !isTime(r.parkedAt)) return undefined;
  const s: StoredSession = {
    v: 1,
    resumeToken: r.resumeToken,
    sessionId: r.sessionId,
    role: 'visitor',
    flow: r.flow,
    large: r.large,
    videoAreaShown: r.videoAreaShown,
  };
  if (r.agentName !== undefined) s.agentName = r.agentName;
  if (r.camera !== undefined) s.camera = r.camera;
  if (r.codeExpiresAt !== undefined) s.codeExpiresAt = r.codeExpiresAt;
  if (r.parkedAt !== undefined) s.parkedAt = r.parkedAt;
  return s;
}

/** Whether this page may resume the stored seat: the page that held it was put away recently in this very tab.
 * A copy from a live tab (never parked) would take the seat from under that tab, so it is not resumed. */
export function isResumable(s: StoredSession, now: number): boolean {
  return parkedRecently(s.parkedAt, now);
}

/** The part of isResumable that needs no valid record: the widget's loader looks only at this before it loads the
 * call chunk (sessionMemory.ts, mayResumeSession). */
export function parkedRecently(parkedAt: unknown, now: number): boolean {
  return typeof parkedAt === 'number' && parkedAt <= now + CLOCK_SKEW_MS && now - parkedAt <= MAX_PARKED_MS;
}

export function serializeStoredSession(s: StoredSession): string {
  return JSON.stringify(s);
}
