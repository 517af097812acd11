import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCode } from '../protocol/codes';

/* Agent tokens: `base64url(claims JSON).base64url(HMAC-SHA256(first part))`. Minted by the dev sign-in now and by
 * the Salesforce endpoints later; verified in constant time. */

export const AgentClaims = Type.Object(
  {
    v: Type.Literal(1),
    /** The agent's user id (Salesforce user id, or "dev:<name>" for the development sign-in). */
    sub: Type.String({ minLength: 1, maxLength: 128 }),
    name: Type.String({ minLength: 1, maxLength: 80 }),
    /** Custom permissions the agent holds, e.g. Tandem_Agent_Video. */
    privileges: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }),
    iat: Type.Integer(),
    exp: Type.Integer(),
  },
  { additionalProperties: false },
);
export type AgentClaims = Static<typeof AgentClaims>;

export type VerifyResult = { ok: true; claims: AgentClaims } | { ok: false; code: ErrorCode };

function mac(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signAgentToken(
  input: { sub: string; name: string; privileges: string[] },
  secret: string,
  nowMs: number,
  ttlSeconds: number,
): { token: string; claims: AgentClaims } {
  const iat = Math.floor(nowMs / 1000);
  const claims: AgentClaims = { v: 1, ...input, iat, exp: iat + ttlSeconds };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { token: `${payload}.${mac(payload, secret).toString('base64url')}`, claims };
}

export function verifyAgentToken(token: string, secret: string, nowMs: number): VerifyResult {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, code: ErrorCode.Unauthorized };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: ErrorCode.Unauthorized };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, code: ErrorCode.Unauthorized };
  }
  if (!Value.Check(AgentClaims, claims)) return { ok: false, code: ErrorCode.Unauthorized };
  if (claims.exp * 1000 <= nowMs) return { ok: false, code: ErrorCode.TokenExpired };
  return { ok: true, claims };
}
