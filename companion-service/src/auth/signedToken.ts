import { createHmac, timingSafeEqual } from 'node:crypto';

/* Signed tokens: `base64url(claims JSON).base64url(HMAC-SHA256(secret, first part))`. Used for agent tokens and
 * visitor tokens; each kind validates its own claims. */

export function signClaims(claims: object, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/** Splits a token and decodes its claims WITHOUT checking the signature: only for choosing the key to check with. */
export function readUnverified(token: string): { payload: string; signature: Buffer; claims: unknown } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  try {
    return {
      payload,
      signature: Buffer.from(token.slice(dot + 1), 'base64url'),
      claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown,
    };
  } catch {
    return undefined;
  }
}

/** Constant-time check of the signature over the payload part. */
export function signatureMatches(payload: string, signature: Buffer, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(payload).digest();
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}
