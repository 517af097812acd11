import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CloseCode, ErrorCode } from '../../src/protocol/codes';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { SignalIn, type SignalData } from '../../src/protocol/messages';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken, startServer } from '../helpers/testServer';
import { startCall } from '../helpers/wsClient';

const suite = serviceSuite({ session: { resumeGraceSeconds: 2 } });
let token: string;

beforeAll(async () => {
  token = await devToken(suite.server);
});

const connect = () => suite.connect();
const checkSignalIn = (value: unknown) => TypeCompiler.Compile(SignalIn).Check(value);
const call = () => suite.call(token);

const SIGNALS: SignalData[] = [
  { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' },
  { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n' },
  {
    type: 'candidate',
    candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host', sdpMLineIndex: 0, sdpMid: '0' },
  },
  { type: 'renegotiate', renegotiate: true },
  { type: 'transceiverRequest', transceiverRequest: { kind: 'video', init: { direction: 'sendrecv' } } },
];

describe('joining with a key', () => {
  it('gives the visitor a code and admits an agent who types it, with the visitor initiating', async () => {
    const { created, joined, announced, visitorId, agentId } = await call();
    expect(created.code).toMatch(/^\d{6}$/);
    expect(created.codeExpiresAt).toBeGreaterThan(Date.now() + 590_000);
    expect(joined.peers).toEqual([
      { peer: { id: visitorId, role: 'visitor', media: { video: true, paused: false } }, initiator: false, gen: 1 },
    ]);
    expect(joined.self).toEqual({
      id: agentId,
      role: 'agent',
      media: { video: false, paused: false },
      privileges: ['Tandem_Agent_Video', 'Tandem_Remote_Control', 'Tandem_Screen_Share'],
    });
    expect(announced.link).toEqual({
      peer: { id: agentId, role: 'agent', name: 'Ana Agent', media: { video: false, paused: false } },
      initiator: true,
      gen: 1,
    });

    const record = await suite.server.store.getSession(joined.sessionId);
    expect(record).toMatchObject({ code: created.code, status: 'active', endedAt: null });
    const participants = await suite.server.store.listParticipants(joined.sessionId);
    expect(participants.map((p) => [p.role, p.identity])).toEqual([
      ['visitor', 'anonymous'],
      ['agent', 'dev:ana agent'],
    ]);
  });

  it('tells the agent a wrong key is wrong and keeps the socket usable', async () => {
    const { created } = await (async () => {
      const v = await connect();
      v.send({ type: 'visitor.start' });
      return { created: await v.next('session.created') };
    })();
    const agent = await connect();
    const wrong = created.code === '000000' ? '111111' : '000000';
    agent.send({ type: 'agent.join', token, code: wrong });
    const error = await agent.next('error');
    expect(error).toMatchObject({ code: ErrorCode.InvalidCode, inReplyTo: 'agent.join' });
    agent.send({ type: 'agent.join', token, code: created.code });
    expect((await agent.next('session.joined')).code).toBe(created.code);
  });

  it('refuses an agent token that is forged or missing its signature', async () => {
    const v = await connect();
    v.send({ type: 'visitor.start' });
    const { code } = await v.next('session.created');
    const agent = await connect();
    agent.send({ type: 'agent.join', token: `${token.split('.')[0]}.AAAA`, code });
    expect((await agent.next('error')).code).toBe(ErrorCode.Unauthorized);
    await v.nothing('peer.joined', { after: agent });
  });

  it('refuses a second agent', async () => {
    const { created } = await call();
    const second = await connect();
    second.send({ type: 'agent.join', token: await devToken(suite.server, 'Bo'), code: created.code });
    // A live key is never confirmed to anyone but its first agent: it is answered like a wrong one.
    expect((await second.next('error')).code).toBe(ErrorCode.InvalidCode);
  });
});

describe('relaying signals', () => {
  it('relays every simple-peer signal type unchanged, both ways', async () => {
    const { visitor, agent, visitorId, agentId } = await call();
    for (const data of SIGNALS) {
      visitor.send({ type: 'signal', from: visitorId, to: agentId, gen: 1, data });
      expect(await agent.next('signal')).toEqual({ type: 'signal', from: visitorId, to: agentId, gen: 1, data });
      agent.send({ type: 'signal', from: agentId, to: visitorId, gen: 1, data });
      expect(await visitor.next('signal')).toEqual({ type: 'signal', from: agentId, to: visitorId, gen: 1, data });
    }
    expect([visitor.binaryFrames, agent.binaryFrames]).toEqual([0, 0]);
  });

  it('forwards the sender\'s own bytes, and only when "from" names the sender', async () => {
    const { visitor, agent, visitorId, agentId } = await call();
    const candidate = SIGNALS.find((d) => 'candidate' in d)!;
    // Claiming to be someone else, or leaving "from" out, is refused and reaches no one.
    visitor.send({ type: 'signal', from: agentId, to: agentId, gen: 1, data: candidate });
    expect((await visitor.next('error')).code).toBe(ErrorCode.WrongSender);
    visitor.sendRaw(JSON.stringify({ type: 'signal', to: agentId, gen: 1, data: candidate }));
    expect((await visitor.next('error')).code).toBe(ErrorCode.BadMessage);
    // A repeated "from" reads the same on both ends (JSON.parse keeps the last): a forged last one is refused ...
    visitor.sendRaw(
      `{"type":"signal","from":"${visitorId}","to":"${agentId}","gen":1,"data":${JSON.stringify(candidate)},"from":"${agentId}"}`,
    );
    expect((await visitor.next('error')).code).toBe(ErrorCode.WrongSender);
    await agent.nothing('signal', { after: visitor });
    // ... and a forged first one is overridden by the true last one, which is what the recipient reads too.
    const doubled = `{"from":"${agentId}","type":"signal","to":"${agentId}","gen":1,"data":${JSON.stringify(candidate)},"from":"${visitorId}"}`;
    visitor.sendRaw(doubled);
    expect(await agent.nextRaw('signal')).toBe(doubled);
    // Odd but valid JSON (whitespace, a repeated key) is forwarded exactly as it came.
    const odd = ` \n {"gen":7,"type":"signal","from":"${visitorId}","to":"${agentId}","data":${JSON.stringify(candidate)},"gen":1}  `;
    visitor.sendRaw(odd);
    expect(await agent.nextRaw('signal')).toBe(odd);
    expect(checkSignalIn(JSON.parse(odd))).toBe(true);
    // Text that is not ASCII arrives intact.
    const sdp = { type: 'offer', sdp: 'v=0\r\ns=Café – ☕\r\n' };
    visitor.sendRaw(JSON.stringify({ type: 'signal', from: visitorId, to: agentId, gen: 1, data: sdp }));
    expect((await agent.next('signal')).data).toEqual(sdp);
    expect(agent.binaryFrames).toBe(0);
  });

  it('never relays to someone in another session', async () => {
    const first = await call();
    const second = await call();
    first.visitor.send({ type: 'signal', from: first.visitorId, to: second.agentId, gen: 1, data: SIGNALS[0]! });
    expect((await first.visitor.next('error')).code).toBe(ErrorCode.UnknownPeer);
    await second.agent.nothing('signal', { after: first.visitor });
  });

  it('refuses signals from a socket that is not in a session', async () => {
    const { agentId, agent } = await call();
    const stranger = await connect();
    stranger.send({ type: 'signal', from: agentId, to: agentId, gen: 1, data: SIGNALS[0]! });
    expect((await stranger.next('error')).code).toBe(ErrorCode.NotInSession);
    await agent.nothing('signal', { after: stranger });
  });

  it('re-creates a pair on request and drops signals from the old generation', async () => {
    const { visitor, agent, visitorId, agentId } = await call();
    agent.send({ type: 'pair.restart', peerId: visitorId });
    expect((await agent.next('pair.reset')).link).toMatchObject({ peer: { id: visitorId }, initiator: false, gen: 2 });
    expect((await visitor.next('pair.reset')).link).toMatchObject({ peer: { id: agentId }, initiator: true, gen: 2 });
    visitor.send({ type: 'signal', from: visitorId, to: agentId, gen: 1, data: SIGNALS[0]! });
    await agent.nothing('signal', { after: visitor });
    visitor.send({ type: 'signal', from: visitorId, to: agentId, gen: 2, data: SIGNALS[0]! });
    expect((await agent.next('signal')).gen).toBe(2);
  });
});

describe('bad input', () => {
  it('answers malformed and unknown messages with an error and changes nothing', async () => {
    const { visitor, agent, visitorId, agentId, joined } = await call();
    const cases: Array<[string, ErrorCode]> = [
      ['not json', ErrorCode.BadMessage],
      ['[1,2,3]', ErrorCode.BadMessage],
      ['{"type":"launch.missiles"}', ErrorCode.UnknownType],
      [
        JSON.stringify({
          type: 'signal',
          from: visitorId,
          to: agentId,
          gen: 1,
          data: { type: 'offer', sdp: 'x', extra: 1 },
        }),
        ErrorCode.BadMessage,
      ],
      [
        JSON.stringify({
          type: 'signal',
          from: visitorId,
          to: agentId,
          gen: 1,
          data: { type: 'offer', sdp: 'x'.repeat(60_001) },
        }),
        ErrorCode.BadMessage,
      ],
      [
        JSON.stringify({ type: 'signal', from: visitorId, to: '../../etc', gen: 1, data: SIGNALS[0] }),
        ErrorCode.BadMessage,
      ],
      [JSON.stringify({ type: 'agent.join', token: 'x', code: '12ab56' }), ErrorCode.BadMessage],
      [JSON.stringify({ type: 'session.end', now: true }), ErrorCode.BadMessage],
    ];
    for (const [raw, code] of cases) {
      visitor.sendRaw(raw);
      expect((await visitor.next('error')).code).toBe(code);
    }
    visitor.sendRaw(Buffer.from([1, 2, 3]));
    expect((await visitor.next('error')).code).toBe(ErrorCode.BadMessage);
    // The session and the socket are untouched: the relay still works and the store still says active.
    await agent.nothing('signal', { after: visitor });
    visitor.send({ type: 'signal', from: visitorId, to: agentId, gen: 1, data: SIGNALS[2]! });
    expect((await agent.next('signal')).from).toBe(visitorId);
    expect((await suite.server.store.getSession(joined.sessionId))?.status).toBe('active');
  });

  it('refuses a message over the per-message limit without dropping the socket', async () => {
    const { visitor, agent, agentId, visitorId } = await call();
    visitor.sendRaw(
      JSON.stringify({
        type: 'signal',
        from: visitorId,
        to: agentId,
        gen: 1,
        data: { type: 'offer', sdp: 'x'.repeat(70_000) },
      }),
    );
    expect((await visitor.next('error')).code).toBe(ErrorCode.TooLarge);
    visitor.send({ type: 'signal', from: visitorId, to: agentId, gen: 1, data: SIGNALS[0]! });
    expect((await agent.next('signal')).from).toBe(visitorId);
  });

  it('closes a frame over maxPayload with 1009, and the participant can resume', async () => {
    const { visitor, agent, created, visitorId, agentId } = await call();
    visitor.sendRaw('x'.repeat(suite.server.config.socket.maxPayloadBytes + 1));
    expect((await visitor.closed()).code).toBe(CloseCode.MessageTooBig);
    await agent.next('peer.away');
    const again = await connect();
    again.send({ type: 'session.resume', resumeToken: created.resumeToken });
    expect((await again.next('session.joined')).resumed).toBe(true);
    await agent.next('peer.back');
    again.send({ type: 'signal', from: visitorId, to: agentId, gen: 1, data: SIGNALS[0]! });
    await agent.next('signal');
  });
});

describe('dropped sockets', () => {
  it('lets a participant resume within the grace period without ending the session', async () => {
    const { visitor, agent, created, visitorId, agentId } = await call();
    visitor.socket.terminate();
    expect((await agent.next('peer.away')).peerId).toBe(visitorId);
    const back = await connect();
    back.send({ type: 'session.resume', resumeToken: created.resumeToken });
    const resumed = await back.next('session.joined');
    expect(resumed).toMatchObject({ resumed: true, self: { id: visitorId, role: 'visitor' } });
    expect(resumed.peers).toEqual([
      {
        peer: { id: agentId, role: 'agent', name: 'Ana Agent', media: { video: false, paused: false } },
        initiator: true,
        gen: 1,
      },
    ]);
    expect((await agent.next('peer.back')).peerId).toBe(visitorId);
    agent.send({ type: 'signal', from: agentId, to: visitorId, gen: 1, data: SIGNALS[1]! });
    expect((await back.next('signal')).data).toEqual(SIGNALS[1]);
  });

  it('ends the session when the visitor does not come back in time', async () => {
    const { visitor, agent, created, joined } = await call();
    visitor.socket.terminate();
    await agent.next('peer.away');
    expect((await agent.next('session.ended', 4000)).reason).toBe('visitor_lost');
    expect((await agent.closed()).code).toBe(CloseCode.SessionEnded);
    const late = await connect();
    late.send({ type: 'session.resume', resumeToken: created.resumeToken });
    // Too late to come back: told that the session ended, and why.
    expect(await late.next('session.ended')).toEqual({ type: 'session.ended', reason: 'visitor_lost' });
    expect(await suite.server.store.getSession(joined.sessionId)).toMatchObject({
      status: 'ended',
      endReason: 'visitor_lost',
    });
  });

  it('closes the older socket when the same participant resumes elsewhere', async () => {
    const { visitor, created, agent } = await call();
    const second = await connect();
    second.send({ type: 'session.resume', resumeToken: created.resumeToken });
    await second.next('session.joined');
    expect((await visitor.closed()).code).toBe(CloseCode.Replaced);
    await agent.nothing('peer.away', { after: [second, suite.server.closeHandled(visitor)] });
  });

  it('refuses an unknown resume token', async () => {
    const client = await connect();
    client.send({ type: 'session.resume', resumeToken: 'x'.repeat(32) });
    expect((await client.next('error')).code).toBe(ErrorCode.ResumeFailed);
  });
});

describe('ending', () => {
  it('ends the session for everyone on agent END and records it', async () => {
    const { visitor, agent, joined } = await call();
    agent.send({ type: 'session.end' });
    expect((await visitor.next('session.ended')).reason).toBe('agent_ended');
    expect((await agent.next('session.ended')).reason).toBe('agent_ended');
    expect((await visitor.closed()).code).toBe(CloseCode.SessionEnded);
    expect((await agent.closed()).code).toBe(CloseCode.SessionEnded);
    const record = await suite.server.store.getSession(joined.sessionId);
    expect(record).toMatchObject({ status: 'ended', endReason: 'agent_ended' });
    expect(record?.endedAt).toEqual(expect.any(Number));
    const events = (await suite.server.store.listEvents(joined.sessionId)).map((e) => e.kind);
    expect(events).toEqual(['session.created', 'agent.joined', 'session.end.requested', 'session.ended']);
    const participants = await suite.server.store.listParticipants(joined.sessionId);
    expect(participants.every((p) => p.leftAt !== null)).toBe(true);
  });

  it('does not let the visitor END, but a visitor hang-up ends it for the agent', async () => {
    const { visitor, agent } = await call();
    visitor.send({ type: 'session.end' });
    expect((await visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    await agent.nothing('session.ended', { after: visitor });
    visitor.send({ type: 'session.leave' });
    expect((await agent.next('session.ended')).reason).toBe('visitor_hangup');
  });

  it('ends it when the agent hangs up, and frees the code', async () => {
    const { visitor, agent, created } = await call();
    agent.send({ type: 'session.leave' });
    expect((await visitor.next('session.ended')).reason).toBe('agent_hangup');
    const late = await connect();
    late.send({ type: 'agent.join', token, code: created.code });
    expect((await late.next('error')).code).toBe(ErrorCode.InvalidCode);
  });
});

describe('liveness', () => {
  it('drops a socket that stops answering pings, which starts the grace period', async () => {
    const quick = await startServer({ socket: { pingIntervalSeconds: 1 } });
    try {
      const c = await startCall(quick.wsUrl, await devToken(quick));
      // Stop reading from the visitor's socket: its pongs stop, as with a laptop that went to sleep.
      (c.visitor.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      expect((await c.agent.next('peer.away', 5000)).peerId).toBe(c.visitorId);
      c.agent.close();
    } finally {
      await quick.stop();
    }
  });

  it('pings only quiet sockets: one that keeps talking is never pinged, a quiet one is and stays', async () => {
    const quick = await startServer({ socket: { pingIntervalSeconds: 1 } });
    try {
      const c = await startCall(quick.wsUrl, await devToken(quick));
      const pings = { visitor: 0, agent: 0 };
      c.visitor.socket.on('ping', () => pings.visitor++);
      c.agent.socket.on('ping', () => pings.agent++);
      const candidate = SIGNALS.find((d) => 'candidate' in d)!;
      for (let i = 0; i < 16; i++) {
        c.visitor.send({ type: 'signal', from: c.visitorId, to: c.agentId, gen: 1, data: candidate });
        // Talking every 150 ms through 2.4 s of 1 s ping intervals: the pacing is the scenario.
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(pings.visitor).toBe(0);
      expect(pings.agent).toBeGreaterThanOrEqual(1);
      // The quiet agent answered its pings (ws does by itself) and is still in the call.
      await c.visitor.probe(); // every signal relayed
      await c.agent.probe();
      expect(c.agent.received.filter((m) => m.type === 'signal')).toHaveLength(16);
      await c.visitor.nothing('peer.away', { after: c.agent });
      expect(c.agent.closeInfo).toBeUndefined();
      c.visitor.close();
      c.agent.close();
    } finally {
      await quick.stop();
    }
  });
});

describe('memory held by an open socket', () => {
  it('lets the upgrade request and its Fastify request, reply and logger go once the socket is a WebSocket', async () => {
    // The collector, reachable from a test (jest does not start node with --expose-gc).
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const upgrades: Array<WeakRef<IncomingMessage>> = [];
    const onUpgrade = (request: IncomingMessage) => upgrades.push(new WeakRef(request));
    suite.server.app.server.on('upgrade', onUpgrade);
    try {
      const clients = await Promise.all([connect(), connect(), connect()]);
      // The sockets work: a visitor can still start a session on one of them.
      clients[0]!.send({ type: 'visitor.start' });
      await clients[0]!.next('session.created');
      expect(upgrades).toHaveLength(3);
      // WeakRef targets stay alive until the current job ends: collect from a later turn of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 20));
      collect();
      await new Promise((resolve) => setTimeout(resolve, 20));
      collect();
      // Fastify's request holds the raw request (request.raw) and its reply holds the request, so a collected raw
      // request means neither was kept either.
      expect(upgrades.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      for (const client of clients) client.close();
    } finally {
      suite.server.app.server.off('upgrade', onUpgrade);
    }
  });
});
