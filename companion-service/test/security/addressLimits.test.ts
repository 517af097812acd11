import WebSocket from 'ws';
import { CloseCode, ErrorCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken, startServer } from '../helpers/testServer';
import { inviteTokenOf, TestClient } from '../helpers/wsClient';

/* Finding 4: one address opened 2,000 sockets and created 2,000 sessions in 2.5 s (each writes rows), an
 * unauthenticated socket that answers pings was never closed, and one guest invite link gave out 500 pending-guest
 * codes. Each now has a cap (config `limits`), refused with a clear answer, and nothing of anyone else's is lost. */

const SOCKETS = 12;
const SESSIONS_PER_MINUTE = 5;
const suite = serviceSuite({
  limits: {
    socketsPerAddress: 200,
    sessionsPerAddressPerMinute: 100,
    idleSocketSeconds: 1,
    pendingGuestsPerSession: 3,
  },
  socket: { pingIntervalSeconds: 1 },
});

/** The HTTP status a WebSocket upgrade got, or 101 when it opened. */
function upgradeStatus(url: string): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    socket.once('error', () => resolve({ status: 0 }));
  });
}

describe('per-address caps', () => {
  it('refuses sockets beyond the address\u2019s share with 429, and takes one again when one closes', async () => {
    // A service of its own: the other tests' sockets would count against the same address.
    const server = await startServer({ limits: { socketsPerAddress: SOCKETS } });
    const open: WebSocket[] = [];
    try {
      // Each opened socket starts something, so the idle deadline doesn't close it during the test.
      for (let i = 0; i < SOCKETS; i++) {
        const { status, socket } = await upgradeStatus(server.wsUrl);
        expect(status).toBe(101);
        socket!.send(
          JSON.stringify({ type: 'agent.watch', token: await devToken(server), visitorIds: ['003TESTVISITOR01'] }),
        );
        open.push(socket!);
      }
      expect((await upgradeStatus(server.wsUrl)).status).toBe(429);
      const leaving = open.pop()!;
      const gone = new Promise((resolve) => leaving.once('close', resolve));
      leaving.close();
      await gone;
      // The server sees the close a moment after the client: ask again until the place is free.
      const again = await eventually(
        () => upgradeStatus(server.wsUrl),
        (r) => r.status === 101,
        'a socket taken again',
        3000,
        50,
      );
      again.socket!.close();
    } finally {
      for (const socket of open) socket.close();
      await server.stop();
    }
  });

  it('lets an address start only so many sessions a minute; the ones it has go on', async () => {
    const server = await startServer({ limits: { sessionsPerAddressPerMinute: SESSIONS_PER_MINUTE } });
    const connect = async () => {
      const client = await TestClient.connect(server.wsUrl);
      suite.track(client);
      return client;
    };
    const visitors: TestClient[] = [];
    for (let i = 0; i < SESSIONS_PER_MINUTE; i++) {
      const visitor = await connect();
      visitor.send({ type: 'visitor.start' });
      await visitor.next('session.created');
      visitors.push(visitor);
    }
    const refused = await connect();
    refused.send({ type: 'visitor.start' });
    const error = await refused.next('error');
    expect(error).toMatchObject({ code: ErrorCode.RateLimited, inReplyTo: 'visitor.start' });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // No session was made for it: the socket is in none.
    refused.send({ type: 'session.leave' });
    expect(await refused.next('error')).toMatchObject({ code: ErrorCode.NotInSession, inReplyTo: 'session.leave' });
    // The others go on: each still answers as a member of its session.
    for (const visitor of visitors) {
      visitor.send({ type: 'media.set', video: false });
      expect((await visitor.next('peer.media')).media.video).toBe(false);
    }
    for (const client of [...visitors, refused]) client.close();
    await server.stop();
  });

  it('closes a socket that starts nothing in time, though it answers every ping; one that started something stays', async () => {
    const idle = await suite.connect();
    const busy = await suite.connect();
    busy.send({ type: 'agent.watch', token: await devToken(suite.server), visitorIds: ['003TESTVISITOR02'] });
    await busy.next('presence');
    expect(await idle.closed(5000)).toEqual({ code: CloseCode.Idle, reason: 'nothing started on this connection' });
    // The busy one is still served: it gets an answer to what it asks next.
    busy.send({ type: 'agent.watch', token: await devToken(suite.server), visitorIds: ['003TESTVISITOR03'] });
    expect((await busy.next('presence')).visitorId).toBe('003TESTVISITOR03');
  });

  it('lets only so many guests of one session wait with a code at once', async () => {
    const { agent } = await suite.call(await devToken(suite.server));
    agent.send({ type: 'guest.invite.create' });
    const invite = inviteTokenOf(await agent.next('guest.invite'));
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const guest = await suite.connect();
      guest.send({ type: 'guest.request', invite, name: `Guest ${i}` });
      codes.push((await guest.next('guest.code')).code);
    }
    const fourth = await suite.connect();
    fourth.send({ type: 'guest.request', invite, name: 'Guest 4' });
    expect(await fourth.next('error')).toMatchObject({
      code: ErrorCode.TooManyGuestsWaiting,
      inReplyTo: 'guest.request',
    });
    // The waiting guests still hold valid codes: the agent admits one.
    agent.send({ type: 'guest.admit', code: codes[0]! });
    expect((await agent.next('peer.joined')).link.peer.role).toBe('guest');
  });
});
