import { createHmac, timingSafeEqual } from 'node:crypto';

/* Signed tokens: `base64url(claims JSON).base64url(HMAC-SHA256(secret, first part))`. Used for agent tokens and
 * visitor tokens; each kind validates its own claims. */

export function signClaims(claims: object, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** base64url without padding, the only spelling this service writes: Node's decoder also takes standard base64 and
 * ignores trailing junk, so a re-encoded signature would decode to the same bytes. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Splits a token and decodes its claims WITHOUT checking the signature: only for choosing the key to check with. */
export function readUnverified(token: string): { payload: string; signature: string; claims: unknown } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return undefined;
  try {
    return { payload, signature, claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/** Constant-time check of the signature over the payload part, on its canonical text: exactly the encoding this
 * service makes, so a token is valid in one spelling only. */
export function signatureMatches(payload: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(payload).digest('base64url'));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
