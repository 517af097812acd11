import type { DemoSignInResponse } from '../../src/protocol/http';

/* The demo customer's sign-in, kept for this tab only (sessionStorage), so a reload or another portal page stays
 * signed in: shared by the portal's pages. */

const STORAGE_KEY = 'northwind.visitorToken';

export function remember(response: DemoSignInResponse): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(response));
  } catch {
    /* not remembered across reloads */
  }
}

export function forgetSignIn(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* nothing stored */
  }
}

export function remembered(): DemoSignInResponse | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as DemoSignInResponse | null;
    return saved && saved.expiresAt > Date.now() ? saved : undefined;
  } catch {
    return undefined;
  }
}
