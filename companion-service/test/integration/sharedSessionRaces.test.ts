import { createHash } from 'node:crypto';
import { ErrorCode } from '../../src/protocol/codes';
import type { ServerMessage } from '../../src/protocol/messages';
import { eventually } from '../helpers/eventually';
import { startSharedInstances, type SharedInstances } from '../helpers/sharedInstances';
import { devToken } from '../helpers/testServer';
import { inviteTokenOf, type TestClient } from '../helpers/wsClient';

/* Races between two instances sharing one Redis prefix and one PostgreSQL schema, each run RACES times: whatever
 * arrives at the same moment on both, the session's compare-and-set lets exactly one through. Two agents join with the
 * same code; two sockets resume with the same token; two guests are admitted to the last seat; two tabs of the visitor
 * accept the same invitation. Each of the first three fails with the commit script's checks taken out (a scratch
 * change); the fourth is decided by the store too, which takes one acceptance per session (see the report). */

jest.setTimeout(180_000);

const RACES = 50;
const SITE = {
  id: 'acme',
  apiKey: 'acme-site-api-key-0123456789',
  signingSecret: 'acme-signing-secret-0123456789abcdef',
};
const TERMS_TEXT = 'Terms for the races.';
const TERMS_HASH = createHash('sha256').update(TERMS_TEXT).digest('hex');
let shared: SharedInstances;
let tokens: { ana: string; ben: string };

beforeAll(async () => {
  shared = await startSharedInstances(2, {
    sites: [SITE],
    devSignInSiteIds: [SITE.id],
    terms: { version: 'v1', text: TERMS_TEXT, promptSeconds: 60, agentWaitSeconds: 60 },
    session: { maxParticipants: 6 },
    // Each race's loser counts as a wrong key for its agent: not the limit under test here.
    joinAttempts: { perAgent: 1000, perIp: 10_000, windowSeconds: 60 },
  });
  tokens = {
    ana: await devToken(shared.servers[0]!, 'Ana Agent'),
    ben: await devToken(shared.servers[1]!, 'Ben Agent'),
  };
});
afterAll(() => shared?.stop());

/** The first of these that each socket gets: one of `wanted`, an error, or its close. */
async function outcome(socket: TestClient, wanted: ServerMessage['type']): Promise<string> {
  const seen = await eventually(
    () =>
      socket.received.find((m) => m.type === wanted || m.type === 'error') ??
      (socket.closeInfo && { type: `closed ${socket.closeInfo.code}` }),
    (m) => m !== undefined,
    `${wanted}, an error or a close`,
    5_000,
    socket.changed,
  );
  return seen!.type === 'error' ? `error ${(seen as { code: string }).code}` : seen!.type;
}

async function visitorOn(i: number) {
  const visitor = await shared.connect(i);
  visitor.send({ type: 'visitor.start' });
  return { visitor, created: await visitor.next('session.created') };
}

describe('two instances at the same moment', () => {
  it('let exactly one of two agents join with the same code', async () => {
    for (let race = 0; race < RACES; race++) {
      const { visitor, created } = await visitorOn(race % 2);
      const [ana, ben] = await Promise.all([shared.connect(0), shared.connect(1)]);
      ana.send({ type: 'agent.join', token: tokens.ana, code: created.code });
      ben.send({ type: 'agent.join', token: tokens.ben, code: created.code });
      const results = await Promise.all([outcome(ana, 'session.joined'), outcome(ben, 'session.joined')]);
      expect({ race, joined: results.filter((r) => r === 'session.joined').length }).toEqual({ race, joined: 1 });
      await visitor.next('peer.joined');
      const agents = await shared.rows('SELECT id FROM participants WHERE session_id = $1 AND role = $2', [
        created.sessionId,
        'agent',
      ]);
      expect({ race, agents: agents.length }).toEqual({ race, agents: 1 });
      for (const c of [visitor, ana, ben]) c.close();
    }
  });

  it('let exactly one of two sockets resume with the same token', async () => {
    for (let race = 0; race < RACES; race++) {
      const { visitor, created } = await visitorOn(race % 2);
      const agent = await shared.connect((race + 1) % 2);
      agent.send({ type: 'agent.join', token: tokens.ana, code: created.code });
      await agent.next('session.joined');
      visitor.close();
      await agent.next('peer.away');
      const [one, two] = await Promise.all([shared.connect(0), shared.connect(1)]);
      one.send({ type: 'session.resume', resumeToken: created.resumeToken });
      two.send({ type: 'session.resume', resumeToken: created.resumeToken });
      const results = await Promise.all([outcome(one, 'session.joined'), outcome(two, 'session.joined')]);
      expect({ race, resumed: results.filter((r) => r === 'session.joined').length }).toEqual({ race, resumed: 1 });
      // The other was refused, or closed as replaced by the one that won.
      expect(results.filter((r) => r !== 'session.joined')).toEqual([
        expect.stringMatching(/^(error resume_failed|closed 4001)$/),
      ]);
      expect(await agent.next('peer.back')).toMatchObject({ peerId: created.self.id });
      for (const c of [agent, one, two]) c.close();
    }
  });

  it('admit exactly one of two guests to the last seat', async () => {
    for (let race = 0; race < RACES; race++) {
      const { visitor, created } = await visitorOn(0);
      const agent = await shared.connect(1);
      agent.send({ type: 'agent.join', token: tokens.ana, code: created.code });
      const agentId = (await agent.next('session.joined')).self.id;
      agent.send({ type: 'guest.invite.create' });
      const invite = inviteTokenOf(await agent.next('guest.invite'));
      const guests: TestClient[] = [];
      const codes: string[] = [];
      for (let g = 0; g < 5; g++) {
        const guest = await shared.connect(g % 2);
        guest.send({ type: 'guest.request', invite, name: `Guest ${g}` });
        codes.push((await guest.next('guest.code')).code);
        guests.push(guest);
      }
      // Three guests take seats 3 to 5.
      for (let g = 0; g < 3; g++) {
        agent.send({ type: 'guest.admit', code: codes[g]! });
        await guests[g]!.next('session.joined');
      }
      // The agent's Admit for the last two at once, one on each instance.
      const [a, b] = await Promise.all([
        shared.servers[0]!.sessions.guests.admit(agentId, codes[3]!),
        shared.servers[1]!.sessions.guests.admit(agentId, codes[4]!),
      ]);
      const results = [a, b].map((r) => (r.ok ? 'ok' : r.code));
      expect({ race, results: results.sort() }).toEqual({ race, results: [ErrorCode.SessionFull, 'ok'].sort() });
      const winner = guests[a.ok ? 3 : 4]!;
      expect(await outcome(winner, 'session.joined')).toBe('session.joined');
      const seated = await shared.rows('SELECT id FROM participants WHERE session_id = $1', [created.sessionId]);
      expect({ race, seated: seated.length }).toEqual({ race, seated: 6 });
      for (const c of [visitor, agent, ...guests]) c.close();
    }
  });

  it('take exactly one of two tabs accepting the same invitation, with one acceptance stored', async () => {
    for (let race = 0; race < RACES; race++) {
      const visitorId = `003RACE${String(race).padStart(9, '0')}`;
      const minted = await fetch(`${shared.servers[0]!.baseUrl}/api/visitor-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tandem-site-key': SITE.apiKey },
        body: JSON.stringify({ visitorId }),
      });
      const { token } = (await minted.json()) as { token: string };
      const tabs = await Promise.all([shared.connect(0), shared.connect(1)]);
      for (const tab of tabs) {
        tab.send({ type: 'visitor.hello', visitorToken: token });
        await tab.next('presence.registered');
      }
      const invited = await fetch(`${shared.servers[race % 2]!.baseUrl}/api/agent/invitations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ana}` },
        body: JSON.stringify({ visitorId }),
      });
      expect(invited.status).toBe(201);
      const { invitationId, sessionId } = (await invited.json()) as { invitationId: string; sessionId: string };
      for (const tab of tabs) tab.send({ type: 'terms.accept', invitationId, termsHash: TERMS_HASH });
      const results = await Promise.all(tabs.map((tab) => outcome(tab, 'session.joined')));
      expect({ race, results: results.sort() }).toEqual({
        race,
        results: [`error ${ErrorCode.InvalidInvitation}`, 'session.joined'].sort(),
      });
      expect(await shared.rows('SELECT id FROM terms_acceptances WHERE session_id = $1', [sessionId])).toHaveLength(1);
      const visitors = await shared.rows('SELECT id FROM participants WHERE session_id = $1 AND role = $2', [
        sessionId,
        'visitor',
      ]);
      expect({ race, visitors: visitors.length }).toEqual({ race, visitors: 1 });
      for (const tab of tabs) tab.close();
    }
  });
});
