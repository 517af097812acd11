import type { Page } from 'playwright-core';
import type { ClientMessage } from '../../src/protocol/messages';
import { BatchAssembler, type StreamPart } from '../../web/cobrowse/streamCodec';
import { expectHearing } from '../helpers/audio';
import { expectFramesRising } from '../helpers/browser';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventuallyWithin } from '../helpers/eventually';
import { people } from '../helpers/people';
import { devToken } from '../helpers/testServer';

/* The visitor's call survives page loads in the same tab, in real Chromium with fake media: a reload and a
 * same-site navigation resume the same seat (video flows again both ways, the agent console stays, remote control
 * stays on and still applies), a hang-up after a resume ends the call for the agent, a tab opened from the call's
 * tab does not take the seat, a stored token whose session is over leaves a clean idle widget, and the 1-click path
 * resumes without asking for the terms again. */

jest.setTimeout(180_000);

const STORAGE_KEY = 'tandem.widget.session';

const suite = e2eSuite();
/** Every page records its WebSockets (window.__ws), so the test can speak as the agent (remote control) and see what
 * the server answered. */
const newPage = () => suite.newPage({ recordSockets: true });
const { visitorStarts, customerSignsIn, agentJoinsWithCode } = people(suite);
const eventually = eventuallyWithin(15_000);

type Received = { type: string } & Record<string, unknown>;

/** Messages of one type the page's sockets have received so far. */
async function received(page: Page, type: string): Promise<Received[]> {
  return page.evaluate(
    (t) => (window as unknown as { __ws: { received: Received[] } }).__ws.received.filter((m) => m.type === t),
    type,
  );
}

/** Sends a message on the page's newest socket (the agent console's session socket). */
async function sendAs(page: Page, message: ClientMessage): Promise<void> {
  await page.evaluate((m) => {
    const sockets = (window as unknown as { __ws: { sockets: WebSocket[] } }).__ws.sockets;
    sockets[sockets.length - 1]!.send(JSON.stringify(m));
  }, message);
}

const stored = (page: Page) => page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY);
const launcher = (page: Page) => page.getByRole('button', { name: 'Start video session' });
const controlNotice = (page: Page) => page.getByTestId('remote-control-on');
const pcCount = (page: Page) => page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length);

/** The rrweb node id of the first element with this id attribute in a full snapshot. */
function nodeIdOf(node: unknown, elementId: string): number | undefined {
  const n = node as { id?: number; attributes?: Record<string, unknown>; childNodes?: unknown[] };
  if (n.attributes?.id === elementId) return n.id;
  for (const child of n.childNodes ?? []) {
    const found = nodeIdOf(child, elementId);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The page stream the agent received from a recorder started after `from` (an index into its cobrowse.events), as
 * batches. A new recorder numbers its batches from 0; parts before that are the old page's last flush. */
async function batchesAtAgent(agent: Page, from: number): Promise<Array<{ events: unknown[]; snapshot: boolean }>> {
  const parts = (await received(agent, 'cobrowse.events')).slice(from) as unknown as StreamPart[];
  const start = parts.findIndex((p) => p.seq === 0 && p.part === 0);
  if (start < 0) return [];
  const assembler = new BatchAssembler();
  return parts
    .slice(start)
    .map((p) => assembler.add(p))
    .filter((b): b is { events: unknown[]; snapshot: boolean } => !!b);
}

describe('the call across page loads (code flow)', () => {
  it('resumes after a reload and a same-site navigation: video both ways, console open, remote control still on; hang-up ends it', async () => {
    const visitor = await newPage();
    const code = await visitorStarts(visitor);
    const agent = await agentJoinsWithCode(code, await newPage());
    await visitor.getByRole('status').filter({ hasText: 'Connected to Ana Agent' }).waitFor({ timeout: 15_000 });
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectFramesRising(agent);
    await expectFramesRising(visitor);

    // Remote control granted by the visitor, and the larger video, before the page loads.
    await sendAs(agent, { type: 'control.request' });
    await visitor
      .getByRole('alertdialog', { name: 'Ana Agent asks to control this page' })
      .getByRole('button', { name: 'Allow' })
      .click();
    await controlNotice(visitor).waitFor();
    await visitor.getByRole('button', { name: 'Larger video' }).click();
    const record = JSON.parse((await stored(visitor))!) as {
      resumeToken: string;
      sessionId: string;
      parkedAt?: number;
    };
    expect(record.resumeToken).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(record.parkedAt).toBeUndefined();
    // The token is per tab: never in localStorage.
    expect(
      await visitor.evaluate(
        (t) => Object.keys(localStorage).some((k) => (localStorage.getItem(k) ?? '').includes(t)),
        record.resumeToken,
      ),
    ).toBe(false);
    const sessionId = (await received(agent, 'session.joined'))[0]!.sessionId;
    expect(record.sessionId).toBe(sessionId);

    for (const load of [() => visitor.reload(), () => visitor.goto(`${suite.server.baseUrl}/?step=2`)]) {
      const agentPcs = await pcCount(agent);
      const streamFrom = (await received(agent, 'cobrowse.events')).length;
      await load();
      // Not a hang-up: the agent saw the visitor drop and come back, and the console stayed open.
      await visitor.getByRole('status').filter({ hasText: 'Reconnected.' }).waitFor({ timeout: 15_000 });
      expect(agent.isClosed()).toBe(false);
      expect(await visitor.getByText('Call ended').count()).toBe(0);
      expect(await visitor.getByTestId('session-code').isVisible()).toBe(false); // the agent is here: no code to read
      // The same seat: the server resumed this participant in the same session.
      const resumed = (await received(visitor, 'session.joined')).at(-1)!;
      expect(resumed).toMatchObject({ resumed: true, sessionId, control: 'on' });
      // New peer connections on both sides, and frames decoded on both.
      await eventually(
        () => pcCount(agent),
        (n) => n > agentPcs,
        'a new peer connection at the agent',
      );
      await expectFramesRising(agent);
      await expectFramesRising(visitor);
      // And sound both ways: the page that loaded again plays the agent's voice without a click in it.
      await expectHearing({ name: 'the agent', page: agent }, { name: 'the visitor', page: visitor });
      await expectHearing({ name: 'the visitor', page: visitor }, { name: 'the agent', page: agent });
      // The layout the visitor chose, and remote control without asking again.
      await visitor.getByRole('button', { name: 'Smaller video' }).waitFor();
      await controlNotice(visitor).filter({ hasText: 'Ana Agent is controlling this page.' }).waitFor();
      expect(await visitor.getByRole('alertdialog').count()).toBe(0);

      // The recorder restarted and its first batch to the agent is a full snapshot ...
      const batches = await eventually(
        () => batchesAtAgent(agent, streamFrom),
        (b) => b.length > 0,
        'the page stream after the load',
      );
      expect(batches[0]!.snapshot).toBe(true);
      const full = batches[0]!.events.find((e) => (e as { type: number }).type === 2) as { data: { node: unknown } };
      const selectId = nodeIdOf(full.data.node, 'customer');
      if (selectId === undefined) throw new Error('the page stream has no customer select');
      // ... whose node ids drive the agent's control input on the new page.
      const options = await eventually(
        () => visitor.locator('#customer option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
        (v) => v.length > 1,
        'the portal customer list',
      );
      const wanted = options.find((v) => v !== (options[0] ?? ''))!;
      await sendAs(agent, {
        type: 'control.input',
        action: { kind: 'choose', nodeId: selectId, selected: [options.indexOf(wanted)] },
      });
      await eventually(
        () => visitor.locator('#customer').inputValue(),
        (v) => v === wanted,
        'the agent’s selection applied on the page',
      );
      await sendAs(agent, { type: 'control.input', action: { kind: 'choose', nodeId: selectId, selected: [0] } });
      await eventually(
        () => visitor.locator('#customer').inputValue(),
        (v) => v === options[0],
        'the selection set back',
      );
    }

    // The back/forward cache (Playwright's Chromium has it switched off, so its page events are played here): a
    // cached page stops its camera and connections and leaves the seat parked; shown again, it resumes the call.
    const agentPcsBefore = await pcCount(agent);
    await visitor.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
    await launcher(visitor).waitFor();
    expect(JSON.parse((await stored(visitor))!).parkedAt).toEqual(expect.any(Number));
    expect(
      await visitor.evaluate(() =>
        (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.every((pc) => pc.connectionState === 'closed'),
      ),
    ).toBe(true);
    expect(
      await visitor.evaluate(() =>
        (window as unknown as { __ws: { sockets: WebSocket[] } }).__ws.sockets.every(
          (w) => w.readyState >= WebSocket.CLOSING,
        ),
      ),
    ).toBe(true);
    await visitor.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await visitor.getByRole('status').filter({ hasText: 'Reconnected.' }).waitFor({ timeout: 15_000 });
    await controlNotice(visitor).waitFor();
    await eventually(
      () => pcCount(agent),
      (n) => n > agentPcsBefore,
      'a new peer connection at the agent',
    );
    await expectFramesRising(agent);

    // A tab opened from the call's tab gets a copy of its sessionStorage, but does not take the seat.
    const [second] = await Promise.all([
      visitor.context().waitForEvent('page'),
      visitor.evaluate(() => void window.open('/?tab=2')),
    ]);
    await launcher(second).waitFor();
    expect(await stored(second)).toBeNull();
    expect(await received(second, 'session.joined')).toEqual([]);
    await second.close();
    await expectFramesRising(agent);
    expect(await visitor.getByText('Call ended').count()).toBe(0);

    // The visitor's hang-up after a resume ends the call for the agent, and forgets the seat.
    const saved = (await stored(visitor))!;
    const closed = agent.waitForEvent('close', { timeout: 10_000 });
    await visitor.getByRole('button', { name: 'Hang up' }).click();
    await closed;
    await visitor.getByText('You hung up.').waitFor();
    expect(await stored(visitor)).toBeNull();

    // That seat's token, put back as if a page had just parked it: the server says the call has ended (and why); a
    // clean idle widget.
    await visitor.evaluate(
      ([key, value]) => sessionStorage.setItem(key!, value!),
      [STORAGE_KEY, JSON.stringify({ ...JSON.parse(saved), parkedAt: Date.now() })],
    );
    await visitor.reload();
    const ended = await eventually(
      () => received(visitor, 'session.ended'),
      (m) => m.length > 0,
      'the ended call’s answer to the resume',
    );
    expect(ended.map((m) => m.reason)).toEqual(['visitor_hangup']);
    await launcher(visitor).waitFor();
    expect(await visitor.locator('#tandem-widget .panel').isHidden()).toBe(true);
    expect(await stored(visitor)).toBeNull();
    expect(await visitor.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length)).toBe(0);
    // No retry loop. A retry would come on the client's reconnect timer (0.5 s, then 1 s): that time is the scenario,
    // and no socket is left open to probe.
    await visitor.waitForTimeout(1500);
    expect((await received(visitor, 'session.ended')).length).toBe(1);
    expect(await received(visitor, 'error')).toEqual([]);
    expect(
      await visitor.evaluate(() => (window as unknown as { __ws: { sockets: unknown[] } }).__ws.sockets.length),
    ).toBe(1);
  });

  it('leaves a clean idle widget for an unknown token and for malformed storage', async () => {
    const visitor = await newPage();
    await visitor.goto(`${suite.server.baseUrl}/`);
    const unknown = {
      v: 1,
      resumeToken: 'x'.repeat(32),
      sessionId: 'abcdefgh12345678',
      role: 'visitor',
      flow: 'code',
      large: false,
      videoAreaShown: true,
    };
    await visitor.evaluate(
      ([key, value]) => sessionStorage.setItem(key!, value!),
      [STORAGE_KEY, JSON.stringify({ ...unknown, parkedAt: Date.now() })],
    );
    await visitor.reload();
    await eventually(
      () => received(visitor, 'error'),
      (errors) => errors.some((e) => e.inReplyTo === 'session.resume'),
      'the refused resume',
    );
    await launcher(visitor).waitFor();
    expect(await stored(visitor)).toBeNull();

    // Not JSON at all: nothing is sent, the widget is idle and the entry is gone.
    await visitor.evaluate((key) => sessionStorage.setItem(key, '{"v":1,"resumeToken":'), STORAGE_KEY);
    await visitor.reload();
    await launcher(visitor).waitFor();
    expect(await stored(visitor)).toBeNull();
    // A resume would open a socket only once the camera is open: give that its time (no socket exists to probe).
    await visitor.waitForTimeout(500);
    expect(await received(visitor, 'error')).toEqual([]);
    expect(
      await visitor.evaluate(() => (window as unknown as { __ws: { sockets: unknown[] } }).__ws.sockets.length),
    ).toBe(0);
  });
});

describe('the call across page loads (1-click)', () => {
  it('resumes a signed-in customer’s call after a reload without asking for the terms again, and comes back online after it', async () => {
    const portal = await newPage();
    await customerSignsIn(portal, 'Maya Jensen');
    await portal
      .locator('#tandem-widget .frame[data-presence="online"]')
      .waitFor({ state: 'attached', timeout: 10_000 });
    const customerId = (await portal.locator('#customer-id').textContent())!;

    const response = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken(suite.server)}` },
      body: JSON.stringify({ visitorId: customerId }),
    });
    expect(response.status).toBe(201);
    const invitation = (await response.json()) as { sessionId: string; consoleUrl: string };
    const prompt = portal.getByRole('alertdialog', { name: 'Video call request' });
    await prompt.getByRole('button', { name: 'Accept' }).click();
    await portal
      .getByTestId('waiting-message')
      .filter({ hasText: 'Waiting for Ana Agent to connect' })
      .waitFor({ timeout: 10_000 });

    // The console is opened by a script, as the join page does, so it can close itself at the end.
    const opener = await newPage();
    await opener.goto(`${suite.server.baseUrl}/join`);
    const consoleUrl = invitation.consoleUrl.replace(new URL(invitation.consoleUrl).origin, suite.server.baseUrl);
    const [agent] = await Promise.all([
      opener.context().waitForEvent('page'),
      opener.evaluate((u) => void window.open(u), consoleUrl),
    ]);
    await portal.getByRole('status').filter({ hasText: 'Connected to Ana Agent' }).waitFor({ timeout: 15_000 });
    await expectFramesRising(agent);

    await portal.reload();
    await portal.getByRole('status').filter({ hasText: 'Reconnected.' }).waitFor({ timeout: 15_000 });
    expect((await received(portal, 'session.joined')).at(-1)).toMatchObject({
      resumed: true,
      sessionId: invitation.sessionId,
    });
    await expectFramesRising(agent);
    // Still signed in on the portal, in the call: no presence socket (so no new invitation) and no terms prompt.
    await portal.getByText('Signed in as Maya Jensen').waitFor();
    expect(await portal.locator('#tandem-widget .frame').getAttribute('data-presence')).toBe('in-call');
    expect(await received(portal, 'presence.registered')).toEqual([]);
    expect(await prompt.count()).toBe(0);
    expect(await portal.getByTestId('waiting-message').isVisible()).toBe(false);
    expect(await suite.server.store.getTermsAcceptance(invitation.sessionId)).toBeDefined();

    const closed = agent.waitForEvent('close', { timeout: 10_000 });
    await agent.getByRole('button', { name: 'END' }).click();
    await closed;
    await portal.getByText('The session has ended.').waitFor({ timeout: 5000 });
    expect(await stored(portal)).toBeNull();
    await portal
      .locator('#tandem-widget .frame[data-presence="online"]')
      .waitFor({ state: 'attached', timeout: 10_000 });
  });
});
