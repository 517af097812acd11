import { createHash } from 'node:crypto';
import { signVisitorToken } from '../../src/identity/visitorToken';
import { CloseCode, ErrorCode } from '../../src/protocol/codes';
import { nextMillisecond } from '../helpers/eventually';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

jest.setTimeout(15_000);

const SITE = {
  id: 'acme',
  apiKey: 'acme-site-api-key-0123456789',
  signingSecret: 'acme-signing-secret-0123456789abcdef',
};
// The development sign-in's agents are linked to the test's site.
const suite = serviceSuite({
  sites: [SITE],
  devSignInSiteIds: [SITE.id],
  terms: { version: 'v7', text: 'Terms for the test.', promptSeconds: 5, agentWaitSeconds: 60 },
});
let agentToken: string;

beforeAll(async () => {
  agentToken = await devToken(suite.server);
});

const TERMS_HASH = createHash('sha256').update('Terms for the test.').digest('hex');
let visitorCounter = 0;
const newVisitorId = () => `003TEST${String(++visitorCounter).padStart(8, '0')}`;

const connect = (headers?: Record<string, string>) => suite.connect(headers);

async function mintVisitorToken(visitorId: string, apiKey = SITE.apiKey) {
  return fetch(`${suite.server.baseUrl}/api/visitor-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-site-key': apiKey },
    body: JSON.stringify({ visitorId, name: 'Maya' }),
  });
}

async function visitorTab(visitorId: string, headers?: Record<string, string>): Promise<TestClient> {
  const { token } = (await (await mintVisitorToken(visitorId)).json()) as { token: string };
  const tab = await connect(headers);
  tab.send({ type: 'visitor.hello', visitorToken: token });
  expect(await tab.next('presence.registered')).toMatchObject({ visitorId, name: 'Maya' });
  return tab;
}

async function invite(visitorId: string, token = agentToken) {
  const response = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ visitorId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function consoleFor(ticket: string): Promise<TestClient> {
  const c = await connect();
  c.send({ type: 'agent.join', ticket });
  await c.next('session.joined');
  return c;
}

describe('visitor tokens', () => {
  it('are minted for a site by its API key only', async () => {
    expect((await mintVisitorToken('003X', 'wrong-key-wrong-key-wrong-key')).status).toBe(401);
    const ok = await mintVisitorToken('003X');
    expect(ok.status).toBe(201);
  });

  it('signed by the site itself are accepted, and unsigned or foreign ones refused', async () => {
    const own = signVisitorToken({ site: 'acme', sub: '003SELF' }, SITE.signingSecret, Date.now(), 60).token;
    const tab = await connect();
    tab.send({ type: 'visitor.hello', visitorToken: own });
    expect((await tab.next('presence.registered')).visitorId).toBe('003SELF');
    const forged = signVisitorToken(
      { site: 'acme', sub: '003EVIL' },
      'not-the-secret-not-the-secret-000',
      Date.now(),
      60,
    ).token;
    const other = await connect();
    other.send({ type: 'visitor.hello', visitorToken: forged });
    expect((await other.next('error')).code).toBe(ErrorCode.Unauthorized);
    const unsigned = `${Buffer.from(JSON.stringify({ v: 1, site: 'acme', sub: '003EVIL', iat: 1, exp: 9e9 })).toString('base64url')}.AAAA`;
    other.send({ type: 'visitor.hello', visitorToken: unsigned });
    expect((await other.next('error')).code).toBe(ErrorCode.Unauthorized);
  });
});

describe('presence', () => {
  it('pushes online and offline to agents who follow a visitor, across several tabs', async () => {
    const visitorId = newVisitorId();
    const agent = await connect();
    agent.send({ type: 'agent.watch', token: agentToken, visitorIds: [visitorId] });
    expect(await agent.next('presence')).toEqual({ type: 'presence', visitorId, online: false });
    const tab1 = await visitorTab(visitorId);
    expect(await agent.next('presence')).toEqual({ type: 'presence', visitorId, online: true });
    const tab2 = await visitorTab(visitorId);
    tab1.close();
    await agent.nothing('presence', { after: suite.server.closeHandled(tab1) }); // still online in the second tab
    const poll = await fetch(`${suite.server.baseUrl}/api/agent/presence/${visitorId}`, {
      headers: { authorization: `Bearer ${agentToken}` },
    });
    expect(await poll.json()).toEqual({ visitorId, online: true });
    tab2.close();
    expect(await agent.next('presence')).toEqual({ type: 'presence', visitorId, online: false });
  });

  it('is only for agents', async () => {
    const c = await connect();
    c.send({ type: 'agent.watch', token: 'nope.nope', visitorIds: ['003X'] });
    expect((await c.next('error')).code).toBe(ErrorCode.Unauthorized);
    expect((await fetch(`${suite.server.baseUrl}/api/agent/presence/003X`)).status).toBe(401);
  });
});

describe('1-click connect', () => {
  it('prompts the most recently active tab with the terms as text', async () => {
    const visitorId = newVisitorId();
    const older = await visitorTab(visitorId);
    const newer = await visitorTab(visitorId);
    // Later than the newer tab's registration.
    await nextMillisecond();
    older.send({ type: 'visitor.active' });
    await older.probe(); // visitor.active has been handled
    const { status, body } = await invite(visitorId);
    expect(status).toBe(201);
    const prompt = await older.next('terms.prompt');
    expect(prompt).toMatchObject({
      invitationId: body.invitationId,
      agentName: 'Ana Agent',
      termsVersion: 'v7',
      termsText: 'Terms for the test.',
    });
    await newer.nothing('terms.prompt', { after: [] }); // the invitation was made (and answered) over HTTP above
  });

  it('refuses to invite a visitor who is offline', async () => {
    const { status, body } = await invite(newVisitorId());
    expect(status).toBe(409);
    expect(body.code).toBe(ErrorCode.VisitorOffline);
  });

  it('records the acceptance durably, then starts the session with the waiting agent', async () => {
    const visitorId = newVisitorId();
    const tab = await visitorTab(visitorId, {
      'user-agent':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    });
    const { body } = await invite(visitorId);
    const agentConsole = await consoleFor(body.ticket!);
    const prompt = await tab.next('terms.prompt');
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    const joined = await tab.next('session.joined');
    expect(joined.peers.map((l) => [l.peer.role, l.initiator])).toEqual([['agent', false]]);
    expect((await agentConsole.next('peer.joined')).link).toMatchObject({ peer: { role: 'visitor' }, initiator: true });
    const acceptance = await suite.server.store.getTermsAcceptance(body.sessionId!);
    // Who accepted is the visitor of this site: (site, visitor id).
    expect(acceptance).toMatchObject({
      visitorId: `acme/${visitorId}`,
      termsVersion: 'v7',
      textSha256: TERMS_HASH,
      ip: '127.0.0.1',
    });
    expect(acceptance?.userAgent).toContain('Chrome/131');
    // Customer Info for the agent: nobody to describe while inviting, then the visitor's device from the socket's
    // User-Agent once they accepted.
    expect((await agentConsole.next('session.info')).visitor).toBeNull();
    const info = await agentConsole.next('session.info');
    expect(info.visitor).toEqual({ os: 'Windows 10', browser: 'Chrome', browserVersion: '131.0.0.0' });
  });

  it('keeps an accepted visitor waiting until the agent console connects', async () => {
    const visitorId = newVisitorId();
    const tab = await visitorTab(visitorId);
    const { body } = await invite(visitorId);
    const prompt = await tab.next('terms.prompt');
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    const joined = await tab.next('session.joined');
    expect(joined.peers).toEqual([]); // nobody yet: the widget shows its waiting message
    expect((await suite.server.store.getSession(body.sessionId!))?.status).toBe('waiting');
    const agentConsole = await connect();
    agentConsole.send({ type: 'agent.join', ticket: body.ticket! });
    const agentJoined = await agentConsole.next('session.joined');
    expect(agentJoined.peers.map((l) => [l.peer.role, l.initiator])).toEqual([['visitor', false]]);
    expect((await tab.next('peer.joined')).link.peer.role).toBe('agent');
  });

  it('tells the agent when the visitor declines', async () => {
    const visitorId = newVisitorId();
    const tab = await visitorTab(visitorId);
    const { body } = await invite(visitorId);
    const agentConsole = await consoleFor(body.ticket!);
    const prompt = await tab.next('terms.prompt');
    tab.send({ type: 'terms.decline', invitationId: prompt.invitationId });
    expect((await agentConsole.next('session.ended')).reason).toBe('visitor_declined');
    expect((await agentConsole.closed()).code).toBe(CloseCode.SessionEnded);
    expect(await suite.server.store.getTermsAcceptance(body.sessionId!)).toBeUndefined();
  });

  it('times the prompt out: the tab takes it down and the agent is told', async () => {
    const visitorId = newVisitorId();
    const tab = await visitorTab(visitorId);
    const { body } = await invite(visitorId);
    const agentConsole = await consoleFor(body.ticket!);
    const prompt = await tab.next('terms.prompt');
    expect((await tab.next('terms.closed', 7000)).invitationId).toBe(prompt.invitationId);
    expect((await agentConsole.next('session.ended', 2000)).reason).toBe('terms_timeout');
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    expect((await tab.next('error')).code).toBe(ErrorCode.InvalidInvitation);
  });

  it("refuses terms accepted twice, for another visitor's invitation, or with other text", async () => {
    const visitorId = newVisitorId();
    const tab = await visitorTab(visitorId);
    const { body } = await invite(visitorId);
    const prompt = await tab.next('terms.prompt');
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: 'a'.repeat(64) });
    expect((await tab.next('error')).code).toBe(ErrorCode.TermsChanged);
    // Another logged-in visitor tries to answer this invitation.
    const intruder = await visitorTab(newVisitorId());
    intruder.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    expect((await intruder.next('error')).code).toBe(ErrorCode.InvalidInvitation);
    intruder.send({ type: 'terms.decline', invitationId: prompt.invitationId });
    expect((await intruder.next('error')).code).toBe(ErrorCode.InvalidInvitation);
    // An anonymous socket can't answer at all.
    const anonymous = await connect();
    anonymous.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    expect((await anonymous.next('error')).code).toBe(ErrorCode.Unauthorized);
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    await tab.next('session.joined');
    // A second tab of the same visitor accepting the same invitation again: refused, and one record only.
    const second = await visitorTab(visitorId);
    second.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash: TERMS_HASH });
    expect((await second.next('error')).code).toBe(ErrorCode.InvalidInvitation);
    expect((await suite.server.store.getTermsAcceptance(body.sessionId!))?.visitorId).toBe(`acme/${visitorId}`);
  });

  it('lets only the inviting agent into the session, and not by code', async () => {
    const visitorId = newVisitorId();
    await visitorTab(visitorId);
    const { body } = await invite(visitorId);
    const otherAgent = await connect();
    const session = await suite.server.store.getSession(body.sessionId!);
    otherAgent.send({ type: 'agent.join', token: await devToken(suite.server, 'Bo'), code: session!.code });
    expect((await otherAgent.next('error')).code).toBe(ErrorCode.InvalidCode);
  });
});

describe('video privilege and Customer Info', () => {
  async function codeCall(privileges?: string[], startWithVideo?: boolean) {
    const response = await fetch(`${suite.server.baseUrl}/api/dev/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(privileges ? { name: 'Vi', privileges } : { name: 'Vi' }),
    });
    const { token } = (await response.json()) as { token: string };
    const visitor = await connect({
      'user-agent':
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    });
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created');
    const agent = await connect();
    agent.send({
      type: 'agent.join',
      token,
      code: created.code,
      ...(startWithVideo === undefined ? {} : { video: startWithVideo }),
    });
    const joined = await agent.next('session.joined');
    return { visitor, agent, joined };
  }

  it("starts the agent's video with the join when they ask for it and hold the privilege, and only then", async () => {
    const asked = await codeCall(undefined, true);
    expect(asked.joined.self.media).toEqual({ video: true, paused: false });
    const told = await asked.visitor.next('peer.joined');
    expect(told.link.peer).toMatchObject({ role: 'agent', media: { video: true, paused: false } });

    // Without the privilege the join goes ahead, with the video off (as media.set would refuse it).
    const unprivileged = await codeCall([], true);
    expect(unprivileged.joined.self.media).toEqual({ video: false, paused: false });
    expect((await unprivileged.visitor.next('peer.joined')).link.peer.media.video).toBe(false);

    // Not asked: off, as before.
    const notAsked = await codeCall(undefined, false);
    expect(notAsked.joined.self.media.video).toBe(false);
  });

  it('refuses an agent.join whose video choice is not a boolean, and joins nobody', async () => {
    const visitor = await connect();
    visitor.send({ type: 'visitor.start' });
    const created = await visitor.next('session.created');
    const agent = await connect();
    agent.send({ type: 'agent.join', token: await devToken(suite.server, 'Vi'), code: created.code, video: 'yes' });
    expect((await agent.next('error')).code).toBe(ErrorCode.BadMessage);
    await visitor.nothing('peer.joined', { after: agent });
    agent.send({ type: 'agent.join', token: await devToken(suite.server, 'Vi'), code: created.code, video: true });
    expect((await agent.next('session.joined')).self.media.video).toBe(true);
  });

  it('refuses agent video without the privilege and allows it with', async () => {
    const without = await codeCall([]);
    expect(without.joined.self.privileges).toEqual([]);
    without.agent.send({ type: 'media.set', video: true });
    expect((await without.agent.next('error')).code).toBe(ErrorCode.NoPrivilege);
    await without.visitor.nothing('peer.media', { after: without.agent });
    const withVideo = await codeCall();
    withVideo.agent.send({ type: 'media.set', video: true });
    expect((await withVideo.visitor.next('peer.media')).media).toEqual({ video: true, paused: false });
    expect((await withVideo.agent.next('peer.media')).peerId).toBe(withVideo.joined.self.id);
  });

  it('gives the agent the session code and the visitor device', async () => {
    const { agent, joined } = await codeCall();
    expect(await agent.next('session.info')).toEqual({
      type: 'session.info',
      code: joined.code,
      visitor: { os: 'Mac OS 10.15.7', browser: 'Safari', browserVersion: '17.4' },
    });
  });

  it('stores a problem report and answers with a reference id; only agents report', async () => {
    const { agent, visitor, joined } = await codeCall();
    agent.send({
      type: 'problem.report',
      description: 'Visitor video froze',
      diagnostics: { rttMs: 12.5, lossPct: 0, resolution: '640x480', extra: null },
    });
    const { referenceId } = await agent.next('problem.reported');
    expect(referenceId).toMatch(/^TP-[0-9A-F]{10}$/);
    expect(await suite.server.store.getProblemReport(referenceId)).toMatchObject({
      sessionId: joined.sessionId,
      description: 'Visitor video froze',
      diagnostics: { rttMs: 12.5, lossPct: 0, resolution: '640x480', extra: null },
    });
    visitor.send({ type: 'problem.report', description: 'x', diagnostics: {} });
    expect((await visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    agent.send({ type: 'problem.report', description: 'x'.repeat(2001), diagnostics: {} });
    expect((await agent.next('error')).code).toBe(ErrorCode.BadMessage);
  });
});
