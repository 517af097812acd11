import { CloseCode, ErrorCode } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken, startServer } from '../helpers/testServer';
import { inviteTokenOf, startCall, TestClient } from '../helpers/wsClient';

const suite = serviceSuite({
  guests: { codeLength: 6, codeTtlSeconds: 120, maxExtensions: 1, inviteTtlSeconds: 3600, wrongCodesPerSession: 3 },
});
let token: string;

beforeAll(async () => {
  token = await devToken(suite.server);
});

const connect = () => suite.connect();
const call = () => suite.call(token);

async function invite(agent: TestClient): Promise<string> {
  agent.send({ type: 'guest.invite.create' });
  return inviteTokenOf(await agent.next('guest.invite'));
}

async function guestAsks(inviteToken: string, name = 'Gil Guest') {
  const guest = await connect();
  guest.send({ type: 'guest.request', invite: inviteToken, name });
  return { guest, code: await guest.next('guest.code') };
}

async function admitted(c: Awaited<ReturnType<typeof call>>) {
  const inv = await invite(c.agent);
  const { guest, code } = await guestAsks(inv);
  c.agent.send({ type: 'guest.admit', code: code.code });
  const joined = await guest.next('session.joined');
  return { guest, inv, guestId: joined.self.id, joined };
}

describe('guest admission', () => {
  it('admits a guest by the code on their screen into the mesh', async () => {
    const c = await call();
    const inv = await invite(c.agent);
    expect(inv).toMatch(/^[\w-]{32}$/);
    const { guest, code } = await guestAsks(inv);
    expect(code.code).toMatch(/^\d{6}$/);
    expect(code.expiresAt).toBeGreaterThan(Date.now() + 100_000);
    c.agent.send({ type: 'guest.admit', code: code.code });
    const joined = await guest.next('session.joined');
    expect(joined.self.role).toBe('guest');
    expect(joined.peers.map((l) => [l.peer.role, l.initiator])).toEqual([
      ['visitor', false],
      ['agent', false],
    ]);
    expect((await c.visitor.next('peer.joined')).link).toMatchObject({
      peer: { role: 'guest', name: 'Gil Guest' },
      initiator: true,
    });
    expect((await c.agent.next('peer.joined')).link).toMatchObject({ peer: { role: 'guest' }, initiator: true });
    // Guests are in the relay like everyone else.
    guest.send({
      type: 'signal',
      from: joined.self.id,
      to: c.agentId,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    });
    expect((await c.agent.next('signal')).from).toBe(joined.self.id);
    const participants = await suite.server.store.listParticipants(c.joined.sessionId);
    expect(participants.map((p) => [p.role, p.name])).toContainEqual(['guest', 'Gil Guest']);
  });

  it('gives more time on request, a limited number of times', async () => {
    const c = await call();
    const { guest, code } = await guestAsks(await invite(c.agent));
    guest.send({ type: 'guest.extend' });
    const extended = await guest.next('guest.code');
    expect(extended).toMatchObject({ code: code.code, extensionsLeft: 0 });
    expect(extended.expiresAt).toBeGreaterThanOrEqual(code.expiresAt);
    guest.send({ type: 'guest.extend' });
    expect((await guest.next('error')).code).toBe(ErrorCode.NoExtensionsLeft);
  });

  it('refuses a forged or unknown invite', async () => {
    await call();
    const guest = await connect();
    guest.send({ type: 'guest.request', invite: 'x'.repeat(32), name: 'Mallory' });
    expect((await guest.next('error')).code).toBe(ErrorCode.InvalidInvite);
  });

  it('validates the guest name', async () => {
    const c = await call();
    const inv = await invite(c.agent);
    const guest = await connect();
    guest.send({ type: 'guest.request', invite: inv, name: 'x'.repeat(81) });
    expect((await guest.next('error')).code).toBe(ErrorCode.BadMessage);
    guest.send({ type: 'guest.request', invite: inv, name: 'bad\u0007name' });
    expect((await guest.next('error')).code).toBe(ErrorCode.BadMessage);
    guest.send({ type: 'guest.request', invite: inv, name: '<img src=x onerror=alert(1)>' });
    await guest.next('guest.code'); // allowed as text; clients render it with textContent
  });

  it('does not let a visitor or a guest admit, and limits wrong codes per session', async () => {
    const c = await call();
    const inv = await invite(c.agent);
    const { code } = await guestAsks(inv);
    c.visitor.send({ type: 'guest.admit', code: code.code });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    const wrong = code.code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 3; i++) {
      c.agent.send({ type: 'guest.admit', code: wrong });
      expect((await c.agent.next('error')).code).toBe(ErrorCode.InvalidCode);
    }
    c.agent.send({ type: 'guest.admit', code: code.code });
    const limited = await c.agent.next('error');
    expect(limited.code).toBe(ErrorCode.RateLimited);
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('codes are single-use', async () => {
    const c = await call();
    const { joined } = await admitted(c);
    c.agent.send({ type: 'guest.admit', code: '123456' });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.InvalidCode);
    expect(joined.self.role).toBe('guest');
  });

  it('caps the room', async () => {
    const small = await startServer({ session: { maxParticipants: 3 } });
    try {
      const c = await startCall(small.wsUrl, await devToken(small));
      c.agent.send({ type: 'guest.invite.create' });
      const inv = inviteTokenOf(await c.agent.next('guest.invite'));
      const first = await TestClient.connect(small.wsUrl);
      first.send({ type: 'guest.request', invite: inv, name: 'One' });
      c.agent.send({ type: 'guest.admit', code: (await first.next('guest.code')).code });
      await first.next('session.joined');
      const second = await TestClient.connect(small.wsUrl);
      second.send({ type: 'guest.request', invite: inv, name: 'Two' });
      const full = await second.next('error');
      expect(full).toMatchObject({ code: ErrorCode.SessionFull, message: expect.stringContaining('full') });
      for (const s of [c.visitor, c.agent, first, second]) s.close();
    } finally {
      await small.stop();
    }
  });
});

describe('eject and pause', () => {
  it('ejects a guest: everyone is told, the guest is disconnected and cannot come back with the invite', async () => {
    const c = await call();
    const { guest, inv, guestId } = await admitted(c);
    await c.visitor.next('peer.joined');
    c.agent.send({ type: 'guest.eject', peerId: guestId });
    expect(await guest.next('guest.removed')).toEqual({ type: 'guest.removed', reason: 'ejected' });
    expect((await guest.closed()).code).toBe(CloseCode.Removed);
    expect(await c.visitor.next('peer.left')).toEqual({ type: 'peer.left', peerId: guestId, reason: 'ejected' });
    // Back with the same invite: refused. The signal path to the ejected guest is closed too.
    const back = await connect();
    back.send({ type: 'guest.request', invite: inv, name: 'Gil Guest' });
    expect((await back.next('error')).code).toBe(ErrorCode.InvalidInvite);
    c.visitor.send({
      type: 'signal',
      from: c.visitorId,
      to: guestId,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.UnknownPeer);
    const participants = await suite.server.store.listParticipants(c.joined.sessionId);
    expect(participants.find((p) => p.id === guestId)?.leaveReason).toBe('ejected');
  });

  it('an ejected guest cannot resume with their resume token', async () => {
    const c = await call();
    const { joined, guestId } = await admitted(c);
    c.agent.send({ type: 'guest.eject', peerId: guestId });
    await c.agent.next('peer.left');
    const again = await connect();
    again.send({ type: 'session.resume', resumeToken: joined.resumeToken });
    expect((await again.next('error')).code).toBe(ErrorCode.ResumeFailed);
  });

  it('refuses eject and pause from a visitor or a guest, and toward the visitor', async () => {
    const c = await call();
    const { guest, guestId } = await admitted(c);
    c.visitor.send({ type: 'peer.pause', peerId: guestId, paused: true });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    guest.send({ type: 'guest.eject', peerId: guestId });
    expect((await guest.next('error')).code).toBe(ErrorCode.Forbidden);
    c.agent.send({ type: 'guest.eject', peerId: c.visitorId });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.Forbidden);
    await guest.nothing('guest.removed', { after: c.agent });
    await c.visitor.nothing('peer.media', { after: c.agent });
  });

  it('pauses a guest for everyone; the guest cannot undo it; the agent can', async () => {
    const c = await call();
    const { guest, guestId } = await admitted(c);
    c.agent.send({ type: 'peer.pause', peerId: guestId, paused: true });
    const paused = { type: 'peer.media', peerId: guestId, media: { video: true, paused: true } };
    expect(await c.visitor.next('peer.media')).toEqual(paused);
    expect(await guest.next('peer.media')).toEqual(paused);
    guest.send({ type: 'media.set', video: true });
    expect((await guest.next('error')).code).toBe(ErrorCode.VideoPaused);
    c.agent.send({ type: 'peer.pause', peerId: guestId, paused: false });
    expect((await c.visitor.next('peer.media')).media).toEqual({ video: true, paused: false });
  });

  it('pauses the customer\u2019s video for everyone; only the agent can, and the customer cannot undo it', async () => {
    const c = await call();
    const { guest } = await admitted(c);
    guest.send({ type: 'peer.pause', peerId: c.visitorId, paused: true });
    expect((await guest.next('error')).code).toBe(ErrorCode.Forbidden);
    await c.visitor.nothing('peer.media', { after: guest });
    c.agent.send({ type: 'peer.pause', peerId: c.visitorId, paused: true });
    const paused = { type: 'peer.media', peerId: c.visitorId, media: { video: true, paused: true } };
    expect(await c.visitor.next('peer.media')).toEqual(paused);
    expect(await guest.next('peer.media')).toEqual(paused);
    c.visitor.send({ type: 'media.set', video: true });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.VideoPaused);
    c.agent.send({ type: 'peer.pause', peerId: c.agentId, paused: true });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.Forbidden);
    c.agent.send({ type: 'peer.pause', peerId: c.visitorId, paused: false });
    expect((await guest.next('peer.media')).media).toEqual({ video: true, paused: false });
  });

  it('a customer whose browser can\u2019t make calls says so once; everyone is told; it can\u2019t be taken back', async () => {
    const c = await call();
    const { guest } = await admitted(c);
    // Claiming calls back, or video with no calls, is refused and changes nothing.
    c.visitor.sendRaw(JSON.stringify({ type: 'media.set', video: false, webrtc: true }));
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.BadMessage);
    c.visitor.send({ type: 'media.set', video: true, webrtc: false });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    await c.agent.nothing('peer.media', { after: c.visitor });

    c.visitor.send({ type: 'media.set', video: false, webrtc: false });
    const noCalls = { type: 'peer.media', peerId: c.visitorId, media: { video: false, paused: false, webrtc: false } };
    expect(await c.agent.next('peer.media')).toEqual(noCalls);
    expect(await guest.next('peer.media')).toEqual(noCalls);
    expect(await c.visitor.next('peer.media')).toEqual(noCalls);
    c.visitor.send({ type: 'media.set', video: true });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    await c.agent.nothing('peer.media', { after: c.visitor });
  });

  it('a guest hang-up removes only the guest', async () => {
    const c = await call();
    const { guest, guestId } = await admitted(c);
    guest.send({ type: 'session.leave' });
    expect(await c.agent.next('peer.left')).toEqual({ type: 'peer.left', peerId: guestId, reason: 'hangup' });
    await c.agent.nothing('session.ended', { after: guest });
    c.agent.send({
      type: 'signal',
      from: c.agentId,
      to: c.visitorId,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
    });
    await c.visitor.next('signal');
  });

  it('ending the session also closes the sockets of guests still waiting for admission', async () => {
    const c = await call();
    const { guest } = await guestAsks(await invite(c.agent));
    c.agent.send({ type: 'session.end' });
    expect((await guest.closed()).code).toBe(CloseCode.SessionEnded);
  });
});
