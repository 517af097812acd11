import {
  isResumable,
  MAX_PARKED_MS,
  MAX_STORED_CHARS,
  parseStoredSession,
  serializeStoredSession,
  type StoredSession,
} from '../../web/widget/storedSession';

/* The widget's stored call (sessionStorage) is untrusted input: any script on the host page can write under its key.
 * Only an exact, small, well-formed record is accepted; only a record parked by a page of this tab that went away
 * recently is resumed. */

const NOW = 1_750_000_000_000;

const good: StoredSession = {
  v: 1,
  resumeToken: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-ab',
  sessionId: '0123456789abcdef0123456789abcdef',
  role: 'visitor',
  flow: 'code',
  codeExpiresAt: NOW + 300_000,
  camera: 'a1b2c3d4e5f6',
  large: true,
  videoAreaShown: false,
  parkedAt: NOW - 1000,
};

const text = (value: unknown) => JSON.stringify(value);

describe('parsing the stored call', () => {
  it('reads back exactly what was written, optional fields included or not', () => {
    expect(parseStoredSession(serializeStoredSession(good))).toEqual(good);
    const minimal: StoredSession = {
      v: 1,
      resumeToken: good.resumeToken,
      sessionId: good.sessionId,
      role: 'visitor',
      flow: 'invited',
      large: false,
      videoAreaShown: true,
    };
    expect(parseStoredSession(serializeStoredSession(minimal))).toEqual(minimal);
    const withAgent = { ...minimal, agentName: 'Ana Agent' };
    expect(parseStoredSession(text(withAgent))).toEqual(withAgent);
  });

  it.each<[string, string | null | undefined]>([
    ['nothing stored', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['not JSON', '{"v":1,'],
    ['JSON null', 'null'],
    ['an array', text([good])],
    ['a string', text('token')],
    ['a number', '42'],
  ])('refuses %s', (_what, raw) => {
    expect(parseStoredSession(raw)).toBeUndefined();
  });

  it('refuses anything longer than the limit without parsing it', () => {
    const padded = text({ ...good, agentName: 'A' }).replace('"A"', `"${' '.repeat(MAX_STORED_CHARS)}"`);
    expect(padded.length).toBeGreaterThan(MAX_STORED_CHARS);
    expect(parseStoredSession(padded)).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['another version', { v: 2 }],
    ['another role', { role: 'agent' }],
    ['an unknown flow', { flow: 'guest' }],
    ['a short token', { resumeToken: 'short' }],
    ['a token with other characters', { resumeToken: 'a'.repeat(20) + '"><img>' }],
    ['a token too long', { resumeToken: 'a'.repeat(129) }],
    ['a token that is not a string', { resumeToken: 12345678901234567890 }],
    ['a malformed session id', { sessionId: 'no spaces allowed here' }],
    ['a non-boolean size', { large: 'yes' }],
    ['a missing video-area flag', { videoAreaShown: undefined }],
    ['an agent name with control characters', { agentName: 'Ana\u0000Agent' }],
    ['an agent name too long', { agentName: 'A'.repeat(81) }],
    ['an empty camera id', { camera: '' }],
    ['a camera id that is not a string', { camera: { deviceId: 'x' } }],
    ['a fractional expiry', { codeExpiresAt: 1.5 }],
    ['a negative park time', { parkedAt: -1 }],
    ['a park time as text', { parkedAt: String(NOW) }],
    ['an extra field', { extra: true }],
    ['an inherited-looking key', { constructor: 'x' }],
  ])('refuses %s', (_what, change) => {
    const raw = text({ ...good, ...change });
    expect(parseStoredSession(raw)).toBeUndefined();
  });

  it('does not pass on a __proto__ key written into the JSON', () => {
    const raw = text(good).replace('{', '{"__proto__":{"polluted":true},');
    expect(parseStoredSession(raw)).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('which stored call this page may resume', () => {
  it('resumes a call parked by a page of this tab that went away recently', () => {
    expect(isResumable(good, NOW)).toBe(true);
    expect(isResumable({ ...good, parkedAt: NOW - MAX_PARKED_MS }, NOW)).toBe(true);
  });

  it('does not resume a copy from a tab that is still live (never parked)', () => {
    const { parkedAt: _parked, ...copied } = good;
    expect(isResumable(copied, NOW)).toBe(false);
  });

  it('does not resume a call parked longer ago than any grace period, or in the future', () => {
    expect(isResumable({ ...good, parkedAt: NOW - MAX_PARKED_MS - 1 }, NOW)).toBe(false);
    expect(isResumable({ ...good, parkedAt: NOW + 60_000 }, NOW)).toBe(false);
  });
});
