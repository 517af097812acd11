import { createHash } from 'node:crypto';
import { ErrorCode } from '../../src/protocol/codes';
import type { ServerMessage } from '../../src/protocol/messages';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';
import { inviteTokenOf, type TestClient } from '../helpers/wsClient';

/* Request ids: a client message may carry an `id`; the server's direct answer to it (its reply, or the error that
 * refuses it) carries that id back as `replyTo`. Nothing else does. */

const SITE = {
  id: 'acme',
  apiKey: 'acme-site-api-key-0123456789',
  signingSecret: 'acme-signing-secret-0123456789abcdef',
};
const TERMS = 'Terms for the replies test.';
const suite = serviceSuite({
  sites: [SITE],
  devSignInSiteIds: [SITE.id],
  terms: { version: 'v1', text: TERMS, promptSeconds: 5, agentWaitSeconds: 60 },
  session: { resumeGraceSeconds: 2 },
});
let token: string;

beforeAll(async () => {
  token = await devToken(suite.server);
});

const replyToOf = (m: ServerMessage) => (m as { replyTo?: unknown }).replyTo;

/** Everything received so far carries no replyTo (after a probe, whose own answer is taken). */
async function nothingAnswered(...clients: TestClient[]): Promise<void> {
  for (const c of clients) {
    await c.probe();
    expect(c.received.filter((m) => replyToOf(m) !== undefined)).toEqual([]);
  }
}

describe('replies to a request with an id', () => {
  it('session.created to visitor.start; session.joined to agent.join, with the rest unmarked', async () => {
    const visitor = await suite.connect();
    visitor.send({ type: 'visitor.start', id: 'start-1' });
    const created = await visitor.next('session.created');
    expect(created.replyTo).toBe('start-1');
    const agent = await suite.connect();
    agent.send({ type: 'agent.join', token, code: created.code, id: 'join-1' });
    expect((await agent.next('session.joined')).replyTo).toBe('join-1');
    expect(replyToOf(await agent.next('session.info'))).toBeUndefined();
    expect(replyToOf(await visitor.next('peer.joined'))).toBeUndefined();
    await nothingAnswered(visitor, agent);
  });

  it('an error that refuses a request carries its id as well as its type', async () => {
    const agent = await suite.connect();
    agent.send({ type: 'agent.join', token, code: '000000', id: 'wrong-key' });
    expect(await agent.next('error')).toEqual({
      type: 'error',
      code: ErrorCode.InvalidCode,
      message: 'No session has that key. Check the digits with the visitor.',
      inReplyTo: 'agent.join',
      replyTo: 'wrong-key',
    });
    // The next request without an id is answered without one: the id belongs to its own message only.
    agent.send({ type: 'session.leave' });
    const error = await agent.next('error');
    expect(error.code).toBe(ErrorCode.NotInSession);
    expect('replyTo' in error).toBe(false);
  });

  it('a message refused by validation still has its well-formed id echoed; a malformed id is not', async () => {
    const client = await suite.connect();
    client.send({ type: 'agent.join', code: 'abc', id: 'bad-join' });
    expect(await client.next('error')).toMatchObject({
      code: ErrorCode.BadMessage,
      inReplyTo: 'agent.join',
      replyTo: 'bad-join',
    });
    client.send({ type: 'no.such.type', id: 'unknown-1' });
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.UnknownType, replyTo: 'unknown-1' });
    client.send({ type: 'visitor.start', id: 'x'.repeat(41) });
    const tooLong = await client.next('error');
    expect(tooLong).toMatchObject({ code: ErrorCode.BadMessage, inReplyTo: 'visitor.start' });
    expect('replyTo' in tooLong).toBe(false);
    client.send({ type: 'visitor.start', id: '<script>' });
    expect('replyTo' in (await client.next('error'))).toBe(false);
  });

  it('answers without an id carry no replyTo', async () => {
    const { created, joined, visitor, agent } = await suite.call(token);
    expect('replyTo' in created).toBe(false);
    expect('replyTo' in joined).toBe(false);
    await nothingAnswered(visitor, agent);
  });

  it('session.joined to a resume, and session.ended to the resume of a session that is over', async () => {
    const { created, visitor, agent } = await suite.call(token);
    visitor.close();
    await agent.next('peer.away');
    const back = await suite.connect();
    back.send({ type: 'session.resume', resumeToken: created.resumeToken, id: 'resume-1' });
    const resumed = await back.next('session.joined');
    expect(resumed).toMatchObject({ resumed: true, replyTo: 'resume-1' });
    agent.send({ type: 'session.end', id: 'end-1' });
    expect(await back.next('session.ended')).toEqual({ type: 'session.ended', reason: 'agent_ended' });
    const late = await suite.connect();
    late.send({ type: 'session.resume', resumeToken: resumed.resumeToken, id: 'resume-2' });
    expect(await late.next('session.ended')).toEqual({
      type: 'session.ended',
      reason: 'agent_ended',
      replyTo: 'resume-2',
    });
  });

  it('guest.invite, guest.code (asked for and extended) and problem.reported; the guest admitted is told unmarked', async () => {
    const { agent } = await suite.call(token);
    agent.send({ type: 'guest.invite.create', id: 'inv' });
    const invite = await agent.next('guest.invite');
    expect(invite.replyTo).toBe('inv');
    const guest = await suite.connect();
    guest.send({
      type: 'guest.request',
      invite: inviteTokenOf(invite),
      name: 'Gil',
      id: 'ask',
    });
    const code = await guest.next('guest.code');
    expect(code.replyTo).toBe('ask');
    guest.send({ type: 'guest.extend', id: 'more' });
    expect((await guest.next('guest.code')).replyTo).toBe('more');
    agent.send({ type: 'guest.admit', code: code.code, id: 'admit' });
    expect(replyToOf(await guest.next('session.joined'))).toBeUndefined();
    agent.send({ type: 'problem.report', description: 'Echo on the line.', diagnostics: { rtt: 12 }, id: 'report' });
    expect((await agent.next('problem.reported')).replyTo).toBe('report');
    await nothingAnswered(agent, guest);
  });

  it('presence.registered to visitor.hello, session.joined to terms.accept; the prompt is unmarked', async () => {
    const minted = await fetch(`${suite.server.baseUrl}/api/visitor-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-site-key': SITE.apiKey },
      body: JSON.stringify({ visitorId: '003REPLIES0001' }),
    });
    const { token: visitorToken } = (await minted.json()) as { token: string };
    const tab = await suite.connect();
    tab.send({ type: 'visitor.hello', visitorToken, id: 'hello' });
    expect(await tab.next('presence.registered')).toEqual({
      type: 'presence.registered',
      visitorId: '003REPLIES0001',
      replyTo: 'hello',
    });
    const invited = await fetch(`${suite.server.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ visitorId: '003REPLIES0001' }),
    });
    const { ticket } = (await invited.json()) as { ticket: string };
    const agent = await suite.connect();
    agent.send({ type: 'agent.join', ticket, id: 'ticket-join' });
    expect((await agent.next('session.joined')).replyTo).toBe('ticket-join');
    const prompt = await tab.next('terms.prompt');
    expect(replyToOf(prompt)).toBeUndefined();
    const termsHash = createHash('sha256').update(TERMS).digest('hex');
    tab.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash, id: 'accept' });
    expect((await tab.next('session.joined')).replyTo).toBe('accept');
    await nothingAnswered(tab, agent);
  });
});

describe('what is passed on', () => {
  it("a visitor's cobrowse events reach the agent without the visitor's request id", async () => {
    const { visitor, agent, visitorId } = await suite.call(token);
    const events = {
      type: 'cobrowse.events',
      seq: 0,
      part: 0,
      parts: 1,
      snapshot: true,
      encoding: 'json',
      data: '[]',
    } as const;
    visitor.send({ ...events, id: 'ev-1' });
    expect(JSON.parse(await agent.nextRaw('cobrowse.events'))).toEqual({ ...events, from: visitorId });
  });

  it('a signal takes no id: it is relayed byte for byte, so one with an id is refused', async () => {
    const { visitor, agent, visitorId, agentId } = await suite.call(token);
    const withId: Record<string, unknown> = {
      type: 'signal',
      from: visitorId,
      to: agentId,
      gen: 1,
      data: { type: 'renegotiate', renegotiate: true },
      id: 'sig-1',
    };
    visitor.send(withId);
    expect(await visitor.next('error')).toMatchObject({
      code: ErrorCode.BadMessage,
      inReplyTo: 'signal',
      replyTo: 'sig-1',
    });
    await agent.probe();
    expect(agent.received.filter((m) => m.type === 'signal')).toEqual([]);
  });
});
