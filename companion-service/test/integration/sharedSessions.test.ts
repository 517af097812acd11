import { createHash } from 'node:crypto';
import type { ControlInputAction } from '../../src/protocol/controlActions';
import { ErrorCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { startSharedInstances, type SharedInstances } from '../helpers/sharedInstances';
import { devToken, startServer } from '../helpers/testServer';
import { postgresConfig } from '../helpers/postgres';
import { testRedisSettings } from '../helpers/redis';
import { inviteTokenOf, type TestClient } from '../helpers/wsClient';

/* Any instance serves any participant: three instances sharing one Redis prefix and one PostgreSQL schema, a call whose
 * members are spread over them. Signals are relayed both ways across instances byte for byte; guests, video, pause,
 * eject and remote control work from wherever each member is; 1-click connect is asked on one instance, the console
 * joins on another and the visitor accepts on a third; everything is recorded once in the one database. */

jest.setTimeout(60_000);

const SITE = {
  id: 'acme',
  apiKey: 'acme-site-api-key-0123456789',
  signingSecret: 'acme-signing-secret-0123456789abcdef',
};
const TERMS_TEXT = 'Terms for the shared sessions test.';
const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' };
const ANSWER = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n' };
const CANDIDATE = {
  type: 'candidate',
  candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host', sdpMLineIndex: 0, sdpMid: '0' },
};
const CLICK: ControlInputAction = {
  kind: 'click',
  type: 'click',
  nodeId: 7,
  x: 1,
  y: 1,
  w: 10,
  h: 10,
  button: 0,
  detail: 1,
  mods: { alt: false, ctrl: false, meta: false, shift: false },
};
let shared: SharedInstances;
let token: string;

beforeAll(async () => {
  shared = await startSharedInstances(3, {
    sites: [SITE],
    devSignInSiteIds: [SITE.id],
    terms: { version: 'v1', text: TERMS_TEXT, promptSeconds: 30, agentWaitSeconds: 60 },
  });
  token = await devToken(shared.servers[0]!);
});
afterAll(() => shared?.stop());

/** A visitor who starts a session on instance `v`, and an agent who joins it with the code on instance `a`. */
const callAcross = (v: number, a: number) => shared.callByCode(v, a, token);

/** Sends a signal as a client would, and expects the peer to get that very frame. */
async function relays(from: TestClient, fromId: string, to: TestClient, toId: string, data: Record<string, unknown>) {
  const frame = JSON.stringify({ type: 'signal', from: fromId, to: toId, gen: 1, data });
  from.sendRaw(frame);
  expect(await to.nextRaw('signal')).toBe(frame);
}

const events = (sessionId: string) =>
  shared
    .rows<{ kind: string }>('SELECT kind FROM events WHERE session_id = $1 ORDER BY seq', [sessionId])
    .then((rows) => rows.map((r) => r.kind));

describe('a call across instances', () => {
  it('relays signals both ways, exactly as sent, between a visitor on one instance and an agent on another', async () => {
    const call = await callAcross(0, 1);
    expect(call.joined.peers.map((p) => p.peer.id)).toEqual([call.visitorId]);
    expect(call.announced.link.peer.id).toBe(call.agentId);
    await relays(call.visitor, call.visitorId, call.agent, call.agentId, OFFER);
    await relays(call.agent, call.agentId, call.visitor, call.visitorId, ANSWER);
    await relays(call.visitor, call.visitorId, call.agent, call.agentId, CANDIDATE);
    // A signal naming someone not in the session is refused where it was sent.
    call.agent.send({
      type: 'signal',
      from: call.agentId,
      to: 'f'.repeat(32),
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    });
    expect(await call.agent.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer });
  });

  it('lets the agent on one instance add, pause and eject a guest on another, and turn video and remote control on', async () => {
    const call = await callAcross(0, 1);
    call.agent.send({ type: 'guest.invite.create' });
    const invite = inviteTokenOf(await call.agent.next('guest.invite'));
    const guest = await shared.connect(2);
    guest.send({ type: 'guest.request', invite, name: 'Gil' });
    const code = await guest.next('guest.code');
    call.agent.send({ type: 'guest.admit', code: code.code });
    const guestJoined = await guest.next('session.joined');
    const guestId = guestJoined.self.id;
    expect(guestJoined.peers.map((p) => p.peer.id).sort()).toEqual([call.visitorId, call.agentId].sort());
    expect((await call.visitor.next('peer.joined')).link.peer.id).toBe(guestId);
    expect((await call.agent.next('peer.joined')).link.peer.id).toBe(guestId);
    await relays(guest, guestId, call.visitor, call.visitorId, OFFER);
    await relays(call.visitor, call.visitorId, guest, guestId, ANSWER);

    call.agent.send({ type: 'media.set', video: true });
    for (const peer of [call.visitor, guest])
      expect(await peer.next('peer.media')).toEqual({
        type: 'peer.media',
        peerId: call.agentId,
        media: { video: true, paused: false },
      });

    call.agent.send({ type: 'peer.pause', peerId: guestId, paused: true });
    for (const peer of [guest, call.visitor]) expect((await peer.next('peer.media')).media.paused).toBe(true);

    call.agent.send({ type: 'control.request' });
    expect(await call.visitor.next('control.state')).toMatchObject({ state: 'requested', agentName: 'Ana Agent' });
    call.visitor.send({ type: 'control.answer', granted: true });
    expect(await call.agent.next('control.state')).toMatchObject({ state: 'requested' });
    expect(await call.agent.next('control.state')).toMatchObject({ state: 'on' });
    // Control input from the agent on B reaches the visitor on A.
    call.agent.send({ type: 'control.input', action: CLICK });
    expect((await call.visitor.next('control.input')).action).toEqual(CLICK);

    call.agent.send({ type: 'guest.eject', peerId: guestId });
    expect(await guest.next('guest.removed')).toMatchObject({ reason: 'ejected' });
    expect((await guest.closed()).code).toBe(4002);
    expect(await call.visitor.next('peer.left')).toMatchObject({ peerId: guestId, reason: 'ejected' });
    // Gone from the session on every instance: the visitor's signals to the guest are refused on A.
    call.visitor.send({
      type: 'signal',
      from: call.visitorId,
      to: guestId,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    });
    expect(await call.visitor.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer });

    call.agent.send({ type: 'session.end' });
    expect(await call.visitor.next('session.ended')).toMatchObject({ reason: 'agent_ended' });
    await eventually(
      () => events(call.sessionId),
      (kinds) => kinds.includes('session.ended'),
      'the end to be recorded',
    );
    const kinds = await events(call.sessionId);
    expect(kinds.filter((k) => k === 'session.ended')).toHaveLength(1);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'session.created',
        'agent.joined',
        'guest.requested',
        'guest.admitted',
        'video.paused',
        'control.granted',
        'guest.ejected',
      ]),
    );
    const participants = await shared.rows<{ role: string; left_at: string | null }>(
      'SELECT role, left_at FROM participants WHERE session_id = $1',
      [call.sessionId],
    );
    expect(participants.map((p) => p.role).sort()).toEqual(['agent', 'guest', 'visitor']);
    expect(participants.every((p) => p.left_at !== null)).toBe(true);
  });

  it('connects in one click across three instances: invited on one, the console on another, the visitor accepts on a third', async () => {
    const minted = await fetch(`${shared.servers[2]!.baseUrl}/api/visitor-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-site-key': SITE.apiKey },
      body: JSON.stringify({ visitorId: '003SHARED', name: 'Maya' }),
    });
    const tab = await shared.connect(2);
    tab.send({ type: 'visitor.hello', visitorToken: ((await minted.json()) as { token: string }).token });
    await tab.next('presence.registered');
    const invited = await fetch(`${shared.servers[0]!.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ visitorId: '003SHARED' }),
    });
    expect(invited.status).toBe(201);
    const { sessionId, ticket } = (await invited.json()) as { sessionId: string; ticket: string };
    // One open invitation per visitor, whichever instance is asked.
    const again = await fetch(`${shared.servers[1]!.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ visitorId: '003SHARED' }),
    });
    expect(again.status).toBe(409);
    const console = await shared.connect(1);
    console.send({ type: 'agent.join', ticket });
    const agentJoined = await console.next('session.joined');
    const prompt = await tab.next('terms.prompt');
    tab.send({
      type: 'terms.accept',
      invitationId: prompt.invitationId,
      termsHash: createHash('sha256').update(TERMS_TEXT).digest('hex'),
    });
    const visitorJoined = await tab.next('session.joined');
    expect(visitorJoined.peers.map((p) => p.peer.id)).toEqual([agentJoined.self.id]);
    expect((await console.next('peer.joined')).link.peer.id).toBe(visitorJoined.self.id);
    // Customer Info: the visitor's device, written on C, read for the agent on B.
    await eventually(
      () => console.received.find((m) => m.type === 'session.info' && m.visitor !== null),
      Boolean,
      "the visitor's device",
      3000,
      console.changed,
    );
    await relays(console, agentJoined.self.id, tab, visitorJoined.self.id, OFFER);
    expect(
      await shared.rows('SELECT session_id FROM terms_acceptances WHERE session_id = $1', [sessionId]),
    ).toHaveLength(1);
    // The ticket was used up on B: not again, anywhere.
    const reuse = await shared.connect(0);
    reuse.send({ type: 'agent.join', ticket });
    expect(await reuse.next('error')).toMatchObject({ code: ErrorCode.InvalidTicket });
  });

  it('has a starting instance end only the sessions no instance holds, never a live one', async () => {
    const call = await callAcross(0, 1);
    // A session the store holds open that no instance holds (its instance ran without Redis, or Redis lost it).
    await shared.rows("INSERT INTO sessions (id, code, status, created_at) VALUES ($1, '999999', 'waiting', $2)", [
      'a'.repeat(32),
      Date.now(),
    ]);
    const late = await startServer({
      redis: testRedisSettings(shared.keyPrefix),
      store: postgresConfig(shared.schema),
    });
    try {
      const status = async (id: string) =>
        (
          await shared.rows<{ status: string; end_reason: string | null }>(
            'SELECT status, end_reason FROM sessions WHERE id = $1',
            [id],
          )
        )[0];
      expect(await status('a'.repeat(32))).toEqual({ status: 'ended', end_reason: 'service_restart' });
      expect(await status(call.sessionId)).toEqual({ status: 'active', end_reason: null });
      await relays(call.visitor, call.visitorId, call.agent, call.agentId, OFFER);
    } finally {
      await late.stop();
    }
  });
});
