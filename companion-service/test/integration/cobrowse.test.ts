import type { ControlInputAction } from '../../src/protocol/controlActions';
import { ErrorCode } from '../../src/protocol/codes';
import { eventually } from '../helpers/eventually';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken, startServer } from '../helpers/testServer';
import { startCall } from '../helpers/wsClient';

jest.setTimeout(20_000);

const suite = serviceSuite({
  cobrowse: { bytesPerSecond: 200_000, burstBytes: 400_000, agentBufferBytes: 16_384, maskSelectors: ['.secret'] },
});

/** A call whose agent has the given privileges (all of them when not given). */
const call = async (privileges?: string[]) => suite.call(await devToken(suite.server, 'Ana Agent', privileges));

const withGuest = (c: Awaited<ReturnType<typeof call>>) => suite.admitGuest(c.agent);

const batch = (seq: number, data: string, snapshot = false) =>
  ({ type: 'cobrowse.events', seq, part: 0, parts: 1, snapshot, encoding: 'json', data }) as const;

describe('the page stream', () => {
  it('goes from the visitor to the agent only, unchanged', async () => {
    const c = await call();
    const guest = await withGuest(c);
    const data = JSON.stringify([{ type: 2, data: { node: { id: 1 } }, timestamp: 1 }]);
    c.visitor.send(batch(0, data, true));
    expect(await c.agent.next('cobrowse.events')).toEqual({ ...batch(0, data, true), from: c.visitorId });
    await guest.nothing('cobrowse.events', { after: c.visitor });
  });

  it('refuses a stream from anyone but the visitor', async () => {
    const c = await call();
    const guest = await withGuest(c);
    c.agent.send(batch(0, '[]'));
    expect((await c.agent.next('error')).code).toBe(ErrorCode.Forbidden);
    guest.send(batch(0, '[]'));
    expect((await guest.next('error')).code).toBe(ErrorCode.Forbidden);
    await c.visitor.nothing('cobrowse.events', { after: [c.agent, guest] });
  });

  it('tells the visitor the mask selectors with the session', async () => {
    const visitor = await suite.connect();
    visitor.send({ type: 'visitor.start' });
    expect((await visitor.next('session.created')).maskSelectors).toEqual(['.secret']);
  });

  it('asks the visitor for a snapshot when the agent asks', async () => {
    const c = await call();
    c.agent.send({ type: 'cobrowse.snapshot.request' });
    await c.visitor.next('cobrowse.snapshot.needed');
    c.visitor.send({ type: 'cobrowse.snapshot.request' });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
  });

  it("asks the customer's page at most once a second, however often agents ask", async () => {
    const c = await call();
    const needed = () => c.visitor.received.filter((m) => m.type === 'cobrowse.snapshot.needed').length;
    const start = Date.now();
    for (let i = 0; i < 40; i++) c.agent.send({ type: 'cobrowse.snapshot.request' });
    await c.agent.probe(); // all forty handled
    await c.visitor.probe();
    expect(needed()).toBe(1); // the first at once
    expect(c.agent.received.filter((m) => m.type === 'error')).toEqual([]); // asking is allowed, only coalesced
    // The other thirty-nine as one, a second later.
    await eventually(needed, (n) => n === 2, 'the second request at the page', 3000, c.visitor.changed);
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(needed()).toBe(2);
  });

  it('limits the stream per session', async () => {
    const c = await call();
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 10; i++) c.visitor.send(batch(i, big));
    const refused = await c.visitor.next('error');
    expect(refused).toMatchObject({ code: ErrorCode.RateLimited, inReplyTo: 'cobrowse.events' });
    // All ten handled, and what was forwarded has reached the agent.
    await c.visitor.probe();
    await c.agent.probe();
    const delivered = c.agent.received.filter((m) => m.type === 'cobrowse.events').length;
    expect(delivered).toBeGreaterThanOrEqual(6); // the 400 kB burst
    expect(delivered).toBeLessThan(10);
  });

  it('drops the stream to a slow agent and restarts it from the start of a fresh snapshot', async () => {
    const fast = await startServer({
      cobrowse: { bytesPerSecond: 100_000_000, burstBytes: 500_000_000, agentBufferBytes: 16_384, maskSelectors: [] },
      socket: { messagesPerSecond: 100_000, burst: 100_000 },
    });
    try {
      const c = await startCall(fast.wsUrl, await devToken(fast));
      const agentSocket = (c.agent.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      agentSocket.pause(); // the agent stops reading, like a congested network
      const chunk = 'y'.repeat(60_000);
      let seq = 0;
      // Keep streaming until the server has given up on buffering for the agent.
      while (seq < 400) {
        c.visitor.send(batch(seq++, chunk));
        // Pacing, part of the scenario: a stream, not one write of 24 MB.
        if (seq % 20 === 0) await new Promise((r) => setTimeout(r, 20));
      }
      await c.visitor.probe(); // every batch handled: the server is far behind with the agent
      c.visitor.send(batch(seq++, 'lost-delta')); // dropped: the agent is behind
      agentSocket.resume();
      // Once the agent's socket has drained, the server asks the visitor for a fresh snapshot...
      await c.visitor.next('cobrowse.snapshot.needed', 10_000);
      // The end of a snapshot whose start was dropped, and an increment on it: neither may reach the agent.
      c.visitor.send({ ...batch(seq++, 'cut-snapshot-end', true), part: 1, parts: 2 });
      c.visitor.send(batch(seq++, 'delta-on-the-cut-snapshot'));
      const freshSeq = seq++;
      c.visitor.send({ ...batch(freshSeq, 'fresh-snapshot-1/2', true), parts: 2 });
      c.visitor.send({ ...batch(freshSeq, 'fresh-snapshot-2/2', true), part: 1, parts: 2 });
      c.visitor.send(batch(seq++, 'next-delta'));
      // ...and the agent picks up from it.
      const nextDelta = () => c.agent.received.some((m) => m.type === 'cobrowse.events' && m.data === 'next-delta');
      await eventually(nextDelta, Boolean, 'the delta after the fresh snapshot at the agent', 10_000, c.agent.changed);
      const events = c.agent.received.filter((m) => m.type === 'cobrowse.events') as Array<{ data: string }>;
      expect(events.map((e) => e.data).slice(-3)).toEqual(['fresh-snapshot-1/2', 'fresh-snapshot-2/2', 'next-delta']);
      const lost = ['lost-delta', 'cut-snapshot-end', 'delta-on-the-cut-snapshot'];
      expect(events.filter((e) => lost.includes(e.data))).toEqual([]);
      expect(events.length).toBeLessThan(400); // dropped rather than buffered without bound
      c.visitor.close();
      c.agent.close();
    } finally {
      await fast.stop();
    }
  });
});

const NO_MODS = { alt: false, ctrl: false, meta: false, shift: false };
const click = (nodeId: number): ControlInputAction => ({
  kind: 'click',
  type: 'click',
  nodeId,
  x: 1,
  y: 1,
  w: 10,
  h: 10,
  button: 0,
  detail: 1,
  mods: NO_MODS,
});

describe('remote control', () => {
  it("needs the privilege and the visitor's consent; the visitor can revoke", async () => {
    const c = await call();
    c.agent.send({ type: 'control.input', action: click(5) });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.Forbidden); // forged: no consent yet
    c.agent.send({ type: 'control.request' });
    expect(await c.visitor.next('control.state')).toEqual({
      type: 'control.state',
      state: 'requested',
      agentName: 'Ana Agent',
    });
    expect((await c.agent.next('control.state')).state).toBe('requested');
    c.agent.send({ type: 'control.input', action: click(5) });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.Forbidden); // still not granted
    c.visitor.send({ type: 'control.answer', granted: true });
    expect((await c.agent.next('control.state')).state).toBe('on');
    expect((await c.visitor.next('control.state')).state).toBe('on');

    const actions: ControlInputAction[] = [
      {
        kind: 'pointer',
        phase: 'down',
        nodeId: 5,
        x: 10,
        y: 20,
        w: 100,
        h: 30,
        button: 0,
        buttons: 1,
        detail: 1,
        mods: NO_MODS,
      },
      { kind: 'click', type: 'dblclick', nodeId: 5, x: 10, y: 20, w: 100, h: 30, button: 0, detail: 2, mods: NO_MODS },
      {
        kind: 'key',
        phase: 'down',
        key: 'a',
        code: 'KeyA',
        location: 0,
        repeat: false,
        mods: { ...NO_MODS, shift: true },
      },
      { kind: 'key', phase: 'up', focusNodeId: 7, key: 'a', code: 'KeyA', location: 0, repeat: false, mods: NO_MODS },
      { kind: 'text', inputType: 'insertFromPaste', data: 'pasted' },
      { kind: 'selectText', nodeId: 7, start: 1, end: 4, direction: 'backward' },
      { kind: 'selectRange', anchorNodeId: 11, anchorOffset: 0, focusNodeId: 12, focusOffset: 3 },
      { kind: 'choose', nodeId: 9, selected: [0, 2] },
      { kind: 'setValue', nodeId: 10, value: '42', commit: true },
      { kind: 'scroll', nodeId: null, dx: 0, dy: 400 },
    ];
    for (const action of actions) {
      c.agent.send({ type: 'control.input', action });
      expect(await c.visitor.next('control.input')).toEqual({ type: 'control.input', action });
    }
    // The view's number for an action goes with it (the page reports its focus with it).
    c.agent.send({ type: 'control.input', action: click(5), seq: 41 });
    expect(await c.visitor.next('control.input')).toEqual({ type: 'control.input', action: click(5), seq: 41 });
    for (const action of ['back', 'forward', 'refresh'] as const) {
      c.agent.send({ type: 'control.navigate', action });
      expect((await c.visitor.next('control.navigate')).action).toBe(action);
    }
    c.visitor.send({ type: 'control.release' });
    expect((await c.agent.next('control.state')).state).toBe('off');
    c.agent.send({ type: 'control.navigate', action: 'back' });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.Forbidden);
    await c.visitor.nothing('control.navigate', { after: c.agent });
  });

  it('refuses malformed actions with a clear error, and the control stays on', async () => {
    const c = await call();
    c.agent.send({ type: 'control.request' });
    await c.visitor.next('control.state');
    c.visitor.send({ type: 'control.answer', granted: true });
    await c.agent.next('control.state');
    await c.agent.next('control.state');
    const bad = [
      { kind: 'key', phase: 'down', key: '', code: 'KeyA', location: 0, repeat: false, mods: NO_MODS },
      { kind: 'key', phase: 'down', key: 'a'.repeat(33), code: 'KeyA', location: 0, repeat: false, mods: NO_MODS },
      { kind: 'text', inputType: 'formatBold', data: 'x' },
      { kind: 'text', inputType: 'insertText', data: 'x'.repeat(10_001) },
      {
        kind: 'pointer',
        phase: 'hover',
        nodeId: 1,
        x: 0,
        y: 0,
        w: 1,
        h: 1,
        button: 0,
        buttons: 0,
        detail: 0,
        mods: NO_MODS,
      },
      { kind: 'choose', nodeId: 1, selected: Array.from({ length: 1001 }, (_, i) => i) },
      {
        kind: 'click',
        type: 'click',
        nodeId: 1,
        x: 0,
        y: 0,
        w: 1,
        h: 1,
        button: 0,
        detail: 1,
        mods: NO_MODS,
        extra: true,
      },
      { kind: 'input', nodeId: 7, value: 'the old whole-value replace' },
    ];
    for (const action of bad) {
      c.agent.send({ type: 'control.input', action } as never);
      expect((await c.agent.next('error')).code).toBe(ErrorCode.BadMessage);
    }
    for (const seq of [-1, 1.5, 2 ** 31, '7']) {
      c.agent.send({ type: 'control.input', action: click(5), seq } as never);
      expect((await c.agent.next('error')).code).toBe(ErrorCode.BadMessage);
    }
    await c.visitor.nothing('control.input', { after: c.agent });
    c.agent.send({ type: 'control.input', action: click(5) });
    expect((await c.visitor.next('control.input')).action).toEqual(click(5));
  });

  it('is refused to an agent without the privilege, and to visitors and guests', async () => {
    const c = await call(['Tandem_Agent_Video']);
    c.agent.send({ type: 'control.request' });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.NoPrivilege);
    await c.visitor.nothing('control.state', { after: c.agent });
    c.visitor.send({ type: 'control.request' });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    c.visitor.send({ type: 'control.input', action: click(1) });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    const guest = await withGuest(c);
    guest.send({ type: 'control.answer', granted: true });
    expect((await guest.next('error')).code).toBe(ErrorCode.Forbidden);
  });

  it('is declined by the visitor', async () => {
    const c = await call();
    c.agent.send({ type: 'control.request' });
    await c.visitor.next('control.state');
    c.visitor.send({ type: 'control.answer', granted: false });
    expect((await c.agent.next('control.state', 3000)).state).toBe('requested');
    expect((await c.agent.next('control.state')).state).toBe('off');
  });

  it("survives the visitor's page load", async () => {
    const c = await call();
    c.agent.send({ type: 'control.request' });
    await c.visitor.next('control.state');
    c.visitor.send({ type: 'control.answer', granted: true });
    // The agent's first state is its own request's; 'on' comes once the answer is stored (on PostgreSQL, a real
    // round trip later).
    await c.agent.next('control.state');
    expect((await c.agent.next('control.state')).state).toBe('on');
    c.visitor.socket.terminate();
    const reloaded = await suite.connect();
    reloaded.send({ type: 'session.resume', resumeToken: c.created.resumeToken });
    expect((await reloaded.next('session.joined')).control).toBe('on');
    c.agent.send({ type: 'control.input', action: click(3) });
    await reloaded.next('control.input');
  });
});

describe('read aloud', () => {
  it('goes from the agent to the visitor without remote control; nobody else may send it', async () => {
    const c = await call([]);
    c.agent.send({ type: 'a11y.read', nodeId: 42 });
    expect(await c.visitor.next('a11y.read')).toEqual({ type: 'a11y.read', nodeId: 42 });
    c.visitor.send({ type: 'a11y.read', nodeId: 42 });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
  });
});
