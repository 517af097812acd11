import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCode } from '../protocol/codes';
import { readUnverified, signatureMatches, signClaims } from '../auth/signedToken';

/* Visitor tokens prove who a logged-in visitor is, for presence and 1-click connect. The format is documented in
 * docs/visitor-tokens.md so a site's server can sign its own:
 *   base64url(JSON claims) + "." + base64url(HMAC-SHA256(site signing secret, the first part))
 * claims: { v: 1, site, sub (the visitor id, e.g. the Salesforce Contact id), name?, iat, exp } (seconds). */

export const VisitorClaims = Type.Object(
  {
    v: Type.Literal(1),
    site: Type.String({ minLength: 1, maxLength: 40 }),
    sub: Type.String({ minLength: 1, maxLength: 128 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    iat: Type.Integer(),
    exp: Type.Integer(),
  },
  { additionalProperties: false },
);
export type VisitorClaims = Static<typeof VisitorClaims>;

export interface SiteKey {
  id: string;
  signingSecret: string;
}

export function signVisitorToken(
  input: { site: string; sub: string; name?: string },
  signingSecret: string,
  nowMs: number,
  ttlSeconds: number,
): { token: string; claims: VisitorClaims } {
  const iat = Math.floor(nowMs / 1000);
  const claims: VisitorClaims = { v: 1, ...input, iat, exp: iat + ttlSeconds };
  return { token: signClaims(claims, signingSecret), claims };
}

/** Checks the signature with the secret of the site the token names. Unsigned or unknown-site tokens are refused. */
export function verifyVisitorToken(
  token: string,
  sites: readonly SiteKey[],
  nowMs: number,
): { ok: true; claims: VisitorClaims } | { ok: false; code: ErrorCode } {
  const read = readUnverified(token);
  if (!read || !Value.Check(VisitorClaims, read.claims)) return { ok: false, code: ErrorCode.Unauthorized };
  const claims = read.claims;
  const site = sites.find((s) => s.id === claims.site);
  if (!site || !signatureMatches(read.payload, read.signature, site.signingSecret)) {
    return { ok: false, code: ErrorCode.Unauthorized };
  }
  if (claims.exp * 1000 <= nowMs) return { ok: false, code: ErrorCode.TokenExpired };
  return { ok: true, claims };
}
