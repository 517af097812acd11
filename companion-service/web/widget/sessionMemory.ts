import { isResumable, parseStoredSession, serializeStoredSession, type StoredSession } from './storedSession';

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
