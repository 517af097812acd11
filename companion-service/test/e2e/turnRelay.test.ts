import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { framesDecoded } from '../helpers/browser';
import { homeTrusting, startCoturn, type Coturn } from '../helpers/coturn';
import { e2eSuite } from '../helpers/e2eSuite';
import { eventually } from '../helpers/eventually';
import { recordTexts, textsShown } from '../helpers/textsShown';
import { people } from '../helpers/people';
import { expectRising } from '../helpers/video';

/* Calls relayed through a real coturn on loopback (see docs/deploy.md, "TURN (coturn)"). Every other call test
 * connects over host candidates; here both browsers may use relay candidates only, as peers behind NATs that let
 * nothing else through would. The service mints the TURN credentials from the secret coturn checks them with. */

jest.setTimeout(120_000);

const TURN_SECRET = randomBytes(24).toString('base64url');

interface Recorded {
  pc: RTCPeerConnection;
  usernames: string[];
  createdAt: number;
  iceStates: string[];
  gatheringStates: string[];
  candidateTypes: string[];
  candidateErrors: Array<{ errorCode: number; url: string }>;
}

/** Test-side only, like newContext's recorder: every RTCPeerConnection the page creates gets iceTransportPolicy
 * 'relay' (through a subclass, so prototype, instanceof and statics such as generateCertificate stay what simple-peer
 * expects), and is kept in `window.__relay` with the TURN usernames it was given, when it was made, its ICE states,
 * the candidates it gathered and the TURN errors it met. */
const FORCE_RELAY = () => {
  const Native = window.RTCPeerConnection;
  const made: Recorded[] = [];
  (window as unknown as { __relay: Recorded[] }).__relay = made;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super({ ...config, iceTransportPolicy: 'relay' });
      const entry: Recorded = {
        pc: this,
        usernames: (config?.iceServers ?? []).flatMap((s) => (s.username ? [s.username] : [])),
        createdAt: Date.now(),
        iceStates: [],
        gatheringStates: [],
        candidateTypes: [],
        candidateErrors: [],
      };
      made.push(entry);
      this.addEventListener('iceconnectionstatechange', () => entry.iceStates.push(this.iceConnectionState));
      this.addEventListener('icegatheringstatechange', () => entry.gatheringStates.push(this.iceGatheringState));
      this.addEventListener('icecandidate', (e) => {
        if (e.candidate?.candidate) entry.candidateTypes.push(e.candidate.type ?? 'unknown');
      });
      this.addEventListener('icecandidateerror', (e) =>
        entry.candidateErrors.push({ errorCode: e.errorCode, url: e.url }),
      );
    }

    override setConfiguration(config?: RTCConfiguration): void {
      super.setConfiguration({ ...config, iceTransportPolicy: 'relay' });
    }
  } as typeof RTCPeerConnection;
};

interface Candidate {
  candidateType: string;
  address: string;
  port: number;
  relayProtocol?: string;
  url?: string;
}

type RelayedEnd = Report & { local: Candidate; remote: Candidate };

type Report = Omit<Recorded, 'pc'> & {
  policy: string | undefined;
  closed: boolean;
  /** The selected candidate pair's two ends, once ICE succeeded. */
  local?: Candidate;
  remote?: Candidate;
};

/** Each connection the page made, read now: what FORCE_RELAY recorded, and the selected candidate pair from getStats
 * (found as the console's diagnostics find it). */
async function reportOf(page: Page): Promise<Report[]> {
  return page.evaluate(async () => {
    const made = (window as unknown as { __relay?: Recorded[] }).__relay ?? [];
    const out: Report[] = [];
    for (const { pc, ...recorded } of made) {
      const closed = pc.signalingState === 'closed';
      const report: Report = { ...recorded, policy: pc.getConfiguration().iceTransportPolicy, closed };
      out.push(report);
      if (closed) continue;
      const byId = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
      const transport = [...byId.values()].find(
        (s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string',
      );
      const pair = transport && byId.get(transport.selectedCandidatePairId as string);
      if (!pair || pair.state !== 'succeeded') continue;
      report.local = byId.get(pair.localCandidateId as string) as unknown as Candidate | undefined;
      report.remote = byId.get(pair.remoteCandidateId as string) as unknown as Candidate | undefined;
    }
    return out;
  });
}

/** Each page's one live connection, checked to run relay to relay through coturn: our end a UDP relay that coturn
 * allocated from its range through the url the service handed out, the far end the other browser's relay. */
async function relayedEnds(
  visitor: Page,
  agent: Page,
  { protocol, url }: { protocol: 'udp' | 'tcp' | 'tls'; url: string } = { protocol: 'udp', url: coturn.url },
): Promise<[RelayedEnd, RelayedEnd]> {
  const ends: RelayedEnd[] = [];
  for (const [name, page] of [
    ['visitor', visitor],
    ['agent', agent],
  ] as const) {
    // getStats() names the selected pair a moment after frames flow; on a loaded machine that moment can be later.
    const live = await eventually(
      async () => (await reportOf(page)).filter((r) => r.local),
      (connections) => connections.length === 1,
      `the ${name}'s one connection with a selected candidate pair`,
      15_000,
    );
    expect({ name, connections: live.length }).toEqual({ name, connections: 1 });
    const [connection] = live;
    if (!connection?.local || !connection.remote) throw new Error(`the ${name} has no selected candidate pair`);
    expect(connection.policy).toBe('relay');
    expect(connection.local).toMatchObject({
      candidateType: 'relay',
      relayProtocol: protocol,
      address: '127.0.0.1',
      url,
    });
    expect(connection.local.port).toBeGreaterThanOrEqual(coturn.relayPorts.min);
    expect(connection.local.port).toBeLessThanOrEqual(coturn.relayPorts.max);
    expect(connection.usernames).toHaveLength(1);
    ends.push(connection as RelayedEnd);
  }
  const [atVisitor, atAgent] = ends as [RelayedEnd, RelayedEnd];
  // The far end of each pair is the other browser's relay address: media went relay to relay.
  expect({ address: atVisitor.remote.address, port: atVisitor.remote.port }).toEqual({
    address: '127.0.0.1',
    port: atAgent.local.port,
  });
  expect({ address: atAgent.remote.address, port: atAgent.remote.port }).toEqual({
    address: '127.0.0.1',
    port: atVisitor.local.port,
  });
  return [atVisitor, atAgent];
}

/** The agent joins the visitor's session from a join page that may only relay too (the console opens in its context),
 * turns their video on, and video is decoded both ways. */
async function agentRelaysWith(
  suite: { newPage(): Promise<Page> },
  agentJoinsWithCode: (code: string, join: Page) => Promise<Page>,
  code: string,
  visitor: Page,
): Promise<Page> {
  const join = await suite.newPage();
  await join.context().addInitScript(FORCE_RELAY);
  const agent = await agentJoinsWithCode(code, join);
  await agent.getByRole('button', { name: 'Video', exact: true }).click();
  await expectRising({ name: 'the agent', page: agent }, { name: 'the visitor', page: visitor }, 30_000);
  await expectRising({ name: 'the visitor', page: visitor }, { name: 'the agent', page: agent }, 30_000);
  return agent;
}

/** What the page's socket received, from newContext's socket recorder. */
async function received(page: Page, type: string): Promise<Record<string, unknown> | undefined> {
  return page.evaluate(
    (t) =>
      (window as unknown as { __ws: { received: Array<{ type: string }> } }).__ws.received.find((m) => m.type === t),
    type,
  );
}

/** The expiry (Unix seconds) in the TURN username of a session.created / session.joined message. */
function turnExpiry(message: Record<string, unknown> | undefined): { username: string; expiry: number } {
  const servers = (message?.iceServers ?? []) as Array<{ username?: string }>;
  const username = servers.find((s) => s.username)?.username;
  if (!username) throw new Error(`no TURN credentials in ${JSON.stringify(message)}`);
  return { username, expiry: Number(username.split(':')[0]) };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** coturn's log line for a request made with this TURN username (`verbose` logs one per processed request);
 * `outcome` is a pattern. */
const requestLine = (username: string, outcome: string) =>
  new RegExp(`user <${escapeRegExp(username)}>: incoming packet ${outcome}`);

let coturn: Coturn;
beforeAll(async () => {
  coturn = await startCoturn({ secret: TURN_SECRET, tls: true });
});
afterAll(async () => {
  await coturn?.stop();
});

describe('a call relayed through coturn', () => {
  const suite = e2eSuite({
    server: async () => ({ ice: { turnUrls: [coturn.url], turnSecret: TURN_SECRET, turnTtlSeconds: 600 } }),
  });
  const { visitorStarts, agentJoinsWithCode } = people(suite);

  it('decodes video both ways over relay candidates on both ends, allocated by coturn for each participant', async () => {
    const visitor = await suite.newPage();
    await visitor.context().addInitScript(FORCE_RELAY);
    const code = await visitorStarts(visitor);
    const agent = await agentRelaysWith(suite, agentJoinsWithCode, code, visitor);

    const [atVisitor, atAgent] = await relayedEnds(visitor, agent);
    // coturn allocated a relay for each participant's minted username and let it talk to the other relay.
    for (const username of [...atVisitor.usernames, ...atAgent.usernames]) {
      await coturn.waitForLine(requestLine(username, 'ALLOCATE processed, success'));
      await coturn.waitForLine(requestLine(username, 'CREATE_PERMISSION processed, success'));
    }
  });
});

describe.each([
  ['TCP', 'tcp', () => coturn.tcpUrl],
  ['TLS (turns:)', 'tls', () => coturn.tlsUrl ?? ''],
] as const)('a call relayed over TURN/%s, for networks that let no UDP through', (_name, protocol, turnUrl) => {
  const suite = e2eSuite({
    server: async () => ({ ice: { turnUrls: [turnUrl()], turnSecret: TURN_SECRET, turnTtlSeconds: 600 } }),
    // The browser trusts coturn's certificate, as it would a real TURN server's.
    browserEnv: () => ({ HOME: (home = homeTrusting(coturn.certificate ?? '')) }),
  });
  let home: string | undefined;
  afterAll(() => home && rmSync(home, { recursive: true, force: true }));
  const { visitorStarts, agentJoinsWithCode } = people(suite);

  it('decodes video both ways, each browser reaching coturn over that transport', async () => {
    const visitor = await suite.newPage();
    await visitor.context().addInitScript(FORCE_RELAY);
    const code = await visitorStarts(visitor);
    const agent = await agentRelaysWith(suite, agentJoinsWithCode, code, visitor);
    const ends = await relayedEnds(visitor, agent, { protocol, url: turnUrl() });
    for (const end of ends)
      await coturn.waitForLine(requestLine(end.usernames[0] ?? '', 'ALLOCATE processed, success'));
  });
});

describe('TURN credentials that expire', () => {
  // Long enough for a console to make its connection after joining, short enough to wait out.
  const TTL_SECONDS = 3;
  const suite = e2eSuite({
    server: async () => ({ ice: { turnUrls: [coturn.url], turnSecret: TURN_SECRET, turnTtlSeconds: TTL_SECONDS } }),
  });
  const { visitorStarts, agentJoinsWithCode } = people(suite);

  /** Waits for the second after `expiry`: a REST credential is good through its expiry second. */
  const pastExpiry = (page: Page, expiry: number) =>
    page.waitForTimeout(Math.max(0, (expiry + 1) * 1000 - Date.now() + 100));

  it('are minted afresh for a connection made later: a visitor whose first ones expired before the agent joined relays', async () => {
    const visitor = await suite.newPage({ recordSockets: true });
    await visitor.context().addInitScript(FORCE_RELAY);
    const code = await visitorStarts(visitor);
    // The visitor's connection is made when the agent joins: here, once the credential from the start has expired.
    const atStart = turnExpiry(await received(visitor, 'session.created'));
    expect(atStart.expiry * 1000 - Date.now()).toBeLessThan((TTL_SECONDS + 2) * 1000);
    await pastExpiry(visitor, atStart.expiry);

    const agent = await agentRelaysWith(suite, agentJoinsWithCode, code, visitor);

    const [atVisitor] = await relayedEnds(visitor, agent);
    // The visitor's connection used the credential that came with peer.joined, made after the first had expired.
    const fresh = turnExpiry(await received(visitor, 'peer.joined'));
    expect(fresh.username).not.toBe(atStart.username);
    expect(atVisitor.usernames).toEqual([fresh.username]);
    expect(atVisitor.createdAt).toBeGreaterThan((atStart.expiry + 1) * 1000);
    await coturn.waitForLine(requestLine(fresh.username, 'ALLOCATE processed, success'));
  });

  it('refuse a connection made after its credential expired (401): it never connects, until the pair starts over with fresh ones', async () => {
    const visitor = await suite.newPage({ recordSockets: true });
    await visitor.context().addInitScript(FORCE_RELAY);
    const code = await visitorStarts(visitor);

    const join = await suite.newPage({ recordSockets: true });
    await join.context().addInitScript(FORCE_RELAY);
    // The agent's credential is minted when the console joins. A console in a browser that can't name a sender's
    // stream before it has a track (no RTCRtpSender.setStreams) makes its connection once its camera is open
    // (README, "Join with key"): such a browser, and a camera that opens only after that credential expired. (Only
    // the console opens a camera in this context; it is opened from the join page as about:blank, and its window
    // keeps what this script set up there.)
    await join.context().addInitScript(() => {
      delete (RTCRtpSender.prototype as Partial<RTCRtpSender>).setStreams;
      const devices = navigator.mediaDevices;
      const open = devices.getUserMedia.bind(devices);
      devices.getUserMedia = async (constraints) => {
        const ws = (
          window as unknown as {
            __ws: { received: Array<{ type: string; iceServers?: Array<{ username?: string }> }> };
          }
        ).__ws;
        for (;;) {
          const joined = ws.received.find((m) => m.type === 'session.joined');
          const username = joined?.iceServers?.find((s) => s.username)?.username;
          if (username && Date.now() > (Number(username.split(':')[0]) + 1) * 1000 + 100) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return open(constraints);
      };
    });
    const agent = await agentJoinsWithCode(code, join);
    const agentTurn = turnExpiry(
      await eventually(
        () => received(agent, 'session.joined'),
        (m) => m !== undefined,
        'the console joining',
      ),
    );

    // The agent's connection finishes gathering with no candidate at all, because coturn answered 401.
    const [atAgent] = await eventually(
      () => reportOf(agent),
      (rs) => rs.length === 1 && rs.every((r) => r.gatheringStates.includes('complete')),
      "the agent's connection to finish gathering candidates",
      30_000,
    );
    expect({ policy: atAgent?.policy, usernames: atAgent?.usernames }).toEqual({
      policy: 'relay',
      usernames: [agentTurn.username],
    });
    // Made after its credential expired: this is the refusal under test, not a race.
    expect(atAgent?.createdAt).toBeGreaterThan((agentTurn.expiry + 1) * 1000);
    expect(atAgent?.candidateTypes).toEqual([]);
    expect(atAgent?.candidateErrors).toContainEqual({ errorCode: 401, url: coturn.url });
    // Chrome leaves a connection with no candidate pair in 'new': it never checks, let alone connects.
    expect(atAgent?.iceStates).toEqual([]);

    // The visitor's fresh credential (peer.joined) got it a relay, but with nothing to pair it with, it never
    // connects either.
    const visitorTurn = turnExpiry(await received(visitor, 'peer.joined'));
    const [atVisitor] = await eventually(
      () => reportOf(visitor),
      (rs) => rs.length === 1 && rs.every((r) => r.gatheringStates.includes('complete')),
      "the visitor's connection to finish gathering candidates",
      30_000,
    );
    expect(atVisitor?.usernames).toEqual([visitorTurn.username]);
    expect(atVisitor?.candidateTypes).toContain('relay');
    expect(atVisitor?.iceStates.filter((state) => state === 'connected' || state === 'completed')).toEqual([]);
    expect(await framesDecoded(visitor)).toBe(0);
    expect(await framesDecoded(agent)).toBe(0);

    // coturn refused the agent's credential (the 401 for a request that carries the username, not the first
    // challenge, which has none), and allocated nothing for it.
    await coturn.waitForLine(requestLine(agentTurn.username, 'message processed, error 401: Unauthorized'));
    expect(
      coturn
        .log()
        .split('\n')
        .filter((l) => requestLine(agentTurn.username, '.*success').test(l)),
    ).toEqual([]);

    // Chrome never gives up on such a connection. Once it has stayed unconnected for a while after the agent
    // answered, both sides say so, and the visitor's side (the initiating one) asks for the pair to start over;
    // pair.reset brings both ends fresh credentials, and the call relays.
    // Both are said until the pair connects again, which with fresh credentials can be a few hundred ms later:
    // shorter than Playwright's polling of a locator, so every text each shows is recorded in the page.
    const customerTileState = agent.locator('#remote .tile-state');
    const widgetStatus = visitor.locator('#tandem-widget').getByRole('status');
    await recordTexts(agent, 'tile', '#remote .tile-state');
    await recordTexts(visitor, 'status', '[role="status"]', '#tandem-widget');
    await eventually(
      async () => [await textsShown(agent, 'tile'), await textsShown(visitor, 'status')],
      ([tile, status]) =>
        tile!.some((t) => t.includes('Still connecting')) &&
        status!.some((t) => t.includes('is taking longer than usual')),
      'both sides to say the connection is slow',
      30_000,
    );
    const reset = await eventually(
      () => received(agent, 'pair.reset'),
      (m) => m !== undefined,
      'the pair to start over',
      30_000,
    );
    const agentFresh = turnExpiry(reset);
    await agent.getByRole('button', { name: 'Video', exact: true }).click();
    await expectRising({ name: 'the agent', page: agent }, { name: 'the visitor', page: visitor }, 30_000);
    await expectRising({ name: 'the visitor', page: visitor }, { name: 'the agent', page: agent }, 30_000);
    const [, relayedAtAgent] = await relayedEnds(visitor, agent);
    expect(relayedAtAgent.usernames).toEqual([agentFresh.username]);
    // Connected: neither says it any more.
    await eventually(
      () => customerTileState.textContent(),
      (text) => !text?.includes('Still connecting'),
      "the customer's tile to stop saying it is still connecting",
    );
    await widgetStatus.filter({ hasText: 'Connected to' }).waitFor();
  });
});
