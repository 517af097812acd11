import { createSign } from 'node:crypto';

/** The signed assertion of the OAuth 2.0 JWT bearer flow: RS256 over {iss: consumer key, sub: username,
 * aud: login URL, exp}. Salesforce checks it against the certificate uploaded to the connected app. */
export function jwtBearerAssertion(input: {
  clientId: string;
  username: string;
  audience: string;
  privateKeyPem: string;
  nowMs: number;
}): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT' });
  const claims = encode({
    iss: input.clientId,
    sub: input.username,
    aud: input.audience,
    // Salesforce accepts at most a few minutes of validity.
    exp: Math.floor(input.nowMs / 1000) + 180,
  });
  const signature = createSign('RSA-SHA256')
    .update(`${header}.${claims}`)
    .sign(input.privateKeyPem)
    .toString('base64url');
  return `${header}.${claims}.${signature}`;
}
