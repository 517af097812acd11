import type { AgentTokenResponse } from '../../src/protocol/http';

/* The agent's sign-in on the join page, kept for this tab (sessionStorage) so a reload or the return from Salesforce's
 * sign-in page finds it. A browser that blocks site data (cookies and storage blocked for every site, as some contact
 * centres' managed browsers are set up) throws on any use of sessionStorage: the sign-in then lasts as long as this
 * page, and everything else works as usual. */

const TOKEN_KEY = 'tandem.agentToken';

/** This page's copy, the only one when storage is blocked. */
let current: AgentTokenResponse | undefined;

export function rememberAgent(agent: AgentTokenResponse): void {
  current = agent;
  try {
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify(agent));
  } catch {
    /* storage blocked: kept for this page only */
  }
}

export function forgetAgent(): void {
  current = undefined;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage blocked: nothing stored */
  }
}

/** The signed-in agent whose token has not expired, or undefined. */
export function signedInAgent(): { token: string; name: string } | undefined {
  const agent = current ?? stored();
  return agent && agent.expiresAt > Date.now() ? { token: agent.token, name: agent.name } : undefined;
}

function stored(): AgentTokenResponse | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null') as Partial<AgentTokenResponse> | null;
    const valid =
      typeof parsed?.token === 'string' && typeof parsed.name === 'string' && typeof parsed.expiresAt === 'number';
    return valid ? (parsed as AgentTokenResponse) : undefined;
  } catch {
    return undefined; // storage blocked, or not ours
  }
}
