import type { AgentTokenResponse, ErrorBody } from '../../src/protocol/http';
import type { SfSignInStatus, SignInFailure } from '../../src/protocol/salesforce';

/* Sign in with Salesforce on the join page. The server runs the OAuth web-server flow and sends the browser back to
 * /join with either `#salesforce=<one-time code>` (traded here for the agent token with a POST, so the token never
 * sits in a URL) or `#salesforce_error=<reason>`. */

/** Every reason the service can give has its text (the type check fails on a new reason without one). */
const FAILURE_TEXT: Record<SignInFailure, string> = {
  denied: 'Salesforce sign-in was cancelled. Sign in again to join sessions.',
  expired: 'The sign-in took too long or was started in another browser. Sign in with Salesforce again.',
  org_not_registered:
    'Your Salesforce org is not connected to this Tandem service. Ask your Salesforce admin to register it.',
  no_permission:
    'Your Salesforce user is not allowed to join sessions. Ask your admin for the Tandem Agent permission set.',
  unavailable: 'Salesforce could not be reached to finish signing in. Try again in a moment.',
  misconfigured:
    "Salesforce refused this sign-in: the Tandem connected app isn't set up as Tandem needs. Ask your Salesforce admin to check its OAuth scopes (api and openid).",
};
const UNKNOWN_FAILURE = 'Signing in with Salesforce did not work. Try again.';
const CODE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export type SignInOutcome =
  { kind: 'none' } | { kind: 'signed-in'; agent: AgentTokenResponse } | { kind: 'failed'; message: string };

/** Whether this server offers Sign in with Salesforce, and where it starts. */
export async function salesforceSignInStatus(): Promise<SfSignInStatus> {
  try {
    const response = await fetch('/auth/salesforce/status');
    if (!response.ok) return { enabled: false, loginPath: '' };
    return (await response.json()) as SfSignInStatus;
  } catch {
    return { enabled: false, loginPath: '' };
  }
}

/** Reads what the sign-in redirect left in the fragment (then clears it) and, for a code, trades it for a token. */
export async function completeSalesforceSignIn(): Promise<SignInOutcome> {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const code = fragment.get('salesforce');
  const failure = fragment.get('salesforce_error');
  if (code === null && failure === null) return { kind: 'none' };
  // One use only, and nothing worth keeping in the history or in a copied address.
  history.replaceState(null, '', window.location.pathname);
  if (failure !== null) return { kind: 'failed', message: FAILURE_TEXT[failure as SignInFailure] ?? UNKNOWN_FAILURE };
  if (!code || !CODE_PATTERN.test(code)) return { kind: 'failed', message: UNKNOWN_FAILURE };
  try {
    const response = await fetch('/auth/salesforce/exchange', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    const body = (await response.json()) as AgentTokenResponse | ErrorBody;
    if (!response.ok) return { kind: 'failed', message: (body as ErrorBody).message || UNKNOWN_FAILURE };
    return { kind: 'signed-in', agent: body as AgentTokenResponse };
  } catch {
    return { kind: 'failed', message: 'The Tandem service cannot be reached. Check your connection and try again.' };
  }
}
