import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCode } from '../protocol/codes';
import { readUnverified, signatureMatches, signClaims } from './signedToken';

/* Agent tokens, minted by the development sign-in, the Salesforce endpoints and Sign in with Salesforce; verified in
 * constant time. Each names the tenant it was issued for (tenancy/tenants.ts). */

export const AgentClaims = Type.Object(
  {
    v: Type.Literal(1),
    /** The agent's user id (Salesforce user id, or "dev:<name>" for the development sign-in). */
    sub: Type.String({ minLength: 1, maxLength: 128 }),
    name: Type.String({ minLength: 1, maxLength: 80 }),
    /** The tenant: the Salesforce org the agent signed in from, or "development" for the development sign-in. Every
     * lookup the agent makes is scoped to the tenant's sites; a token without it is refused. */
    org: Type.String({ pattern: '^(development|00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?)$' }),
    /** Custom permissions the agent holds, e.g. Tandem_Agent_Video. */
    privileges: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }),
    iat: Type.Integer(),
    exp: Type.Integer(),
  },
  { additionalProperties: false },
);
export type AgentClaims = Static<typeof AgentClaims>;

export type VerifyResult = { ok: true; claims: AgentClaims } | { ok: false; code: ErrorCode };

export function signAgentToken(
  input: { sub: string; name: string; org: string; privileges: string[] },
  secret: string,
  nowMs: number,
  ttlSeconds: number,
): { token: string; claims: AgentClaims } {
  const iat = Math.floor(nowMs / 1000);
  const claims: AgentClaims = { v: 1, ...input, iat, exp: iat + ttlSeconds };
  return { token: signClaims(claims, secret), claims };
}

export function verifyAgentToken(token: string, secret: string, nowMs: number): VerifyResult {
  const read = readUnverified(token);
  if (!read || !signatureMatches(read.payload, read.signature, secret))
    return { ok: false, code: ErrorCode.Unauthorized };
  if (!Value.Check(AgentClaims, read.claims)) return { ok: false, code: ErrorCode.Unauthorized };
  if (read.claims.exp * 1000 <= nowMs) return { ok: false, code: ErrorCode.TokenExpired };
  return { ok: true, claims: read.claims };
}
