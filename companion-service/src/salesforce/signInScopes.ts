/* The OAuth scopes Sign in with Salesforce needs for the calls it makes with the agent's token. Salesforce serves
 * /services/oauth2/userinfo only to tokens with openid or the identity scopes (id, profile, email, address, phone),
 * and the REST API (the custom-permission SOQL) only to tokens with api; full covers both. jsforce's authorize()
 * only reads the token response's `id` URL, which needs no scope of its own. */

const SCOPES_FOR: ReadonlyArray<{ call: string; anyOf: readonly string[] }> = [
  { call: 'the REST API (SOQL)', anyOf: ['api', 'full'] },
  { call: '/services/oauth2/userinfo', anyOf: ['openid', 'id', 'profile', 'email', 'address', 'phone', 'full'] },
];

export function scopeList(scope: string): string[] {
  return scope.split(' ').filter(Boolean);
}

/** What the space-separated scope lacks, one line per call; empty when it is enough. */
export function missingSignInScopes(scope: string): string[] {
  const granted = new Set(scopeList(scope));
  return SCOPES_FOR.filter(({ anyOf }) => !anyOf.some((s) => granted.has(s))).map(
    ({ call, anyOf }) => `${call} needs one of: ${anyOf.join(', ')}`,
  );
}
