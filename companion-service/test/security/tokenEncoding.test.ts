import { signClaims } from '../../src/auth/signedToken';
import { verifyAgentToken } from '../../src/auth/agentToken';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';

/* Finding 8: a token's signature re-encoded (standard base64 instead of base64url, padding, trailing junk) decoded to
 * the same bytes and was accepted. A token is now valid in the one spelling the service writes. */

const suite = serviceSuite();

/** The spellings of one signature that Node's lenient base64 decoder reads as the same bytes. */
function respellings(token: string): string[] {
  const [payload, signature] = token.split('.') as [string, string];
  const bytes = Buffer.from(signature, 'base64url');
  const standard = bytes.toString('base64');
  return [
    `${payload}.${standard}`, // + / and = padding
    `${payload}.${standard.replace(/=+$/, '')}`,
    `${payload}.${signature}=`,
    `${payload}.${signature}junk!`,
    `${payload}.${signature}.`,
    `${payload}.${signature} `,
    `${payload}=.${signature}`,
  ].filter((t) => t !== token);
}

describe('signed tokens', () => {
  it('accept only the canonical spelling of the signature', () => {
    const secret = 'a'.repeat(40);
    const now = Date.now();
    // A signature whose bytes give + or / in standard base64 makes the respelling differ in characters, not only padding.
    let token = '';
    for (let i = 0; !/[+/]/.test(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('base64')); i++) {
      token = signClaims(
        {
          v: 1,
          sub: `dev:${i}`,
          name: 'Ana',
          org: 'development',
          privileges: [],
          iat: Math.floor(now / 1000),
          exp: Math.floor(now / 1000) + 600,
        },
        secret,
      );
    }
    expect(verifyAgentToken(token, secret, now).ok).toBe(true);
    for (const forged of respellings(token))
      expect({ forged, ok: verifyAgentToken(forged, secret, now).ok }).toEqual({ forged, ok: false });
  });

  it('the service refuses a respelled agent token over HTTP, and takes the real one', async () => {
    const token = await devToken(suite.server);
    const ask = (t: string) =>
      fetch(`${suite.server.baseUrl}/api/agent/presence/003TEST00000001`, {
        headers: { authorization: `Bearer ${t}` },
      });
    expect((await ask(token)).status).toBe(200);
    // (Trailing spaces aside: HTTP drops them from a header's value before anyone reads it.)
    for (const forged of respellings(token).filter((t) => !t.endsWith(' '))) {
      const response = await ask(forged);
      expect({ forged, status: response.status }).toEqual({ forged, status: 401 });
    }
  });
});
