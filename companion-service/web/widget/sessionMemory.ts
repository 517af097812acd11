import {
  isResumable,
  MAX_STORED_CHARS,
  parkedRecently,
  parseStoredSession,
  serializeStoredSession,
  type StoredSession,
} from './storedSession';

/* Keeps the visitor's call across page loads in this tab: the record lives in the host page's sessionStorage (per
 * tab and origin, gone with the tab; never localStorage, which every tab shares and which outlives the call).
 * Storage can be unavailable (privacy modes, sandboxed frames, quota): then a page load simply ends the visitor's
 * part in the call after the server's grace period, as before. */

export const SESSION_STORAGE_KEY = 'tandem.widget.session';

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

function read(): StoredSession | undefined {
  try {
    return parseStoredSession(storage()?.getItem(SESSION_STORAGE_KEY));
  } catch {
    return undefined;
  }
}

export function saveSession(s: StoredSession): void {
  try {
    storage()?.setItem(SESSION_STORAGE_KEY, serializeStoredSession(s));
  } catch {
    /* not kept; the call goes on in this page */
  }
}

export function clearSession(): void {
  try {
    storage()?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    /* nothing to clear */
  }
}

/** Updates the stored record, if there is one, e.g. after a camera switch. */
export function updateSession(change: Partial<Omit<StoredSession, 'v' | 'role'>>): void {
  const current = read();
  if (current) saveSession({ ...current, ...change });
}

/** The page is going away (or into the back/forward cache): the next page of this tab may resume the seat. */
export function parkSession(now: number): void {
  updateSession({ parkedAt: now });
}

/** Whether this tab holds a call it may resume, looked at cheaply and without claiming it: the loader asks this on
 * every page load before it fetches the call chunk, which then takes the call with every check
 * (takeResumableSession). What can't be resumed (nothing parked, too old, not even JSON) is removed here already. */
export function mayResumeSession(now: number): boolean {
  let raw: string | null | undefined;
  try {
    raw = storage()?.getItem(SESSION_STORAGE_KEY);
  } catch {
    return false;
  }
  if (raw === null || raw === undefined) return false;
  let parkedAt: unknown;
  try {
    if (raw.length <= MAX_STORED_CHARS) parkedAt = (JSON.parse(raw) as { parkedAt?: unknown } | null)?.parkedAt;
  } catch {
    /* not JSON: removed below */
  }
  if (parkedRecently(parkedAt, now)) return true;
  clearSession();
  return false;
}

/** The seat this page may resume, if any, claimed for this page (no longer parked, so a tab opened from this one
 * meanwhile gets a copy it will not resume). Whatever else is stored (malformed, stale, or a copy from a tab that
 * is still live) is removed from this tab's storage so it is not looked at again. */
export function takeResumableSession(now: number): StoredSession | undefined {
  let raw: string | null | undefined;
  try {
    raw = storage()?.getItem(SESSION_STORAGE_KEY);
  } catch {
    return undefined;
  }
  if (raw === null || raw === undefined) return undefined;
  const s = parseStoredSession(raw);
  if (s && isResumable(s, now)) {
    const { parkedAt: _parked, ...claimed } = s;
    saveSession(claimed);
    return claimed;
  }
  clearSession();
  return undefined;
}
