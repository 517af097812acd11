import { randomBytes } from 'node:crypto';
import { iceServersFor } from '../../src/ice/iceServers';
import { startCoturn, type Coturn } from '../helpers/coturn';
import { TurnClient } from '../helpers/turnClient';

/* How long a TURN credential the service mints has to stay good, asked of a real coturn (docs/deploy.md, "TURN
 * (coturn)"). A browser allocates a relay with the credential it was given when its connection was made, and keeps
 * the allocation by refreshing it (Chrome: a minute before each 10-minute lifetime ends) and renewing its permissions
 * (every few minutes). If coturn checked the credential's expiry on each of those, every relayed call would drop once
 * it outlived the TTL. It doesn't: it checks the expiry when the allocation is made, and the allocation's later
 * requests are signed with the key it accepted then. So the TTL only has to cover the moments from minting to
 * allocating, which the service keeps short by minting afresh for every connection (turnCredentials.test.ts). */

jest.setTimeout(30_000);

const TURN_SECRET = randomBytes(24).toString('base64url');
/** The shortest the service mints, so the tests wait out an expiry. */
const TTL_SECONDS = 1;

let coturn: Coturn;
beforeAll(async () => {
  coturn = await startCoturn({ secret: TURN_SECRET });
});
afterAll(async () => {
  await coturn?.stop();
});

/** A TURN credential minted by the service as it mints a participant's, and when it stops being good. */
function mint(participantId: string): { username: string; password: string; expiresAtMs: number } {
  const ice = { servers: [], turnUrls: [coturn.url], turnSecret: TURN_SECRET, turnTtlSeconds: TTL_SECONDS };
  const [turn] = iceServersFor(participantId, ice, Date.now());
  if (!turn?.username || !turn.credential) throw new Error('the service minted no TURN credential');
  // coturn refuses a username once the clock is past its expiry second.
  return {
    username: turn.username,
    password: turn.credential,
    expiresAtMs: (Number(turn.username.split(':')[0]) + 1) * 1000,
  };
}

const pastExpiry = (expiresAtMs: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAtMs - Date.now() + 200)));

const clients: TurnClient[] = [];
function clientWith(credentials: { username: string; password: string }): TurnClient {
  const client = new TurnClient({ host: '127.0.0.1', port: coturn.port }, credentials);
  clients.push(client);
  return client;
}
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('a TURN allocation made with a credential the service minted', () => {
  it('is refreshed and given permissions after the credential expired, as a long call needs', async () => {
    const credential = mint('long-call');
    const relay = clientWith(credential);
    expect(await relay.allocate()).toMatchObject({ ok: true, lifetime: 600 });

    await pastExpiry(credential.expiresAtMs);
    expect(Date.now()).toBeGreaterThan(credential.expiresAtMs);
    // What a browser sends during a long call: a Refresh for another lifetime, permissions for its peer.
    expect(await relay.refresh(600)).toEqual({ ok: true, lifetime: 600 });
    expect(await relay.createPermission('127.0.0.1')).toEqual({ ok: true });
    await coturn.waitForLine(
      new RegExp(`refreshed, realm=<${coturn.realm}>, username=<${credential.username}>, lifetime=600`),
    );
  });

  it('cannot be made with a credential that has expired (401), so a leaked one is of no use for long', async () => {
    const credential = mint('late');
    await pastExpiry(credential.expiresAtMs);
    expect(await clientWith(credential).allocate()).toEqual({ ok: false, errorCode: 401 });
    await coturn.waitForLine(
      new RegExp(`user <${credential.username}>: incoming packet message processed, error 401: Unauthorized`),
    );
  });

  it('cannot be made with a credential signed by another secret (401)', async () => {
    const credential = mint('forged');
    const forged = clientWith({ username: credential.username, password: 'bm90IHRoZSBzZWNyZXQ=' });
    expect(await forged.allocate()).toEqual({ ok: false, errorCode: 401 });
  });
});
