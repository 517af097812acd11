import { createHmac } from 'node:crypto';
import { signAgentToken, verifyAgentToken } from '../../src/auth/agentToken';
import { ErrorCode } from '../../src/protocol/codes';

const SECRET = 'a-test-secret-that-is-long-enough-000';
const NOW = Date.UTC(2026, 10, 26, 12);

describe('agent tokens', () => {
  const { token } = signAgentToken(
    { sub: '005xx0000012345', name: 'Ana', org: '00D5g000000TestEAA', privileges: ['Tandem_Agent_Video'] },
    SECRET,
    NOW,
    3600,
  );

  it('verify with the same secret and carry the claims', () => {
    const result = verifyAgentToken(token, SECRET, NOW + 1000);
    expect(result).toEqual({
      ok: true,
      claims: {
        v: 1,
        sub: '005xx0000012345',
        name: 'Ana',
        org: '00D5g000000TestEAA',
        privileges: ['Tandem_Agent_Video'],
        iat: NOW / 1000,
        exp: NOW / 1000 + 3600,
      },
    });
  });

  it('are refused with another secret', () => {
    expect(verifyAgentToken(token, 'another-secret-that-is-long-enough-00', NOW)).toEqual({
      ok: false,
      code: ErrorCode.Unauthorized,
    });
  });

  it('are refused when expired', () => {
    expect(verifyAgentToken(token, SECRET, NOW + 3600 * 1000)).toEqual({ ok: false, code: ErrorCode.TokenExpired });
  });

  it('are refused when the claims were changed, even by one character', () => {
    const [payload, mac] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    claims.privileges = ['Tandem_Agent_Video', 'Tandem_Remote_Control'];
    const forged = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    expect(verifyAgentToken(forged, SECRET, NOW)).toEqual({ ok: false, code: ErrorCode.Unauthorized });
  });

  it.each(['', 'abc', 'a.b.c', '.sig', `${'x'.repeat(10)}.`])('are refused when malformed: %p', (bad) => {
    expect(verifyAgentToken(bad, SECRET, NOW)).toEqual({ ok: false, code: ErrorCode.Unauthorized });
  });

  it('are refused when correctly signed but with claims of the wrong shape', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'x', admin: true })).toString('base64url');
    const mac = createHmac('sha256', SECRET).update(payload).digest('base64url');
    expect(verifyAgentToken(`${payload}.${mac}`, SECRET, NOW)).toEqual({ ok: false, code: ErrorCode.Unauthorized });
  });
});
