import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CloseCode, EndReason } from '../../src/protocol/codes';
import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { TestClient } from '../helpers/wsClient';

/* Finding 10: after kill -9, and after a normal SIGTERM, sessions stayed active/inviting in the store for good, their
 * participants never marked as left, their Salesforce records never written. Now no session is left open that no
 * running service holds: SIGTERM ends each (its members are told why), the next start ends the ones a killed process
 * left, and a client resuming afterwards is told its session ended, and why. The service runs as its own process. */

jest.setTimeout(120_000);

const dir = mkdtempSync(path.join(tmpdir(), 'tandem-restart-'));
const database = path.join(dir, 'tandem.db');
const running: ServiceProcess[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const service of running) await service.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function service(): Promise<ServiceProcess> {
  const started = await startServiceProcess({ TANDEM_SQLITE_PATH: database, TANDEM_LOG_LEVEL: 'error' });
  running.push(started);
  return started;
}

async function connect(server: ServiceProcess): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  clients.push(client);
  return client;
}

/** A visitor's session with an agent in it; returns the two sockets and what the visitor was given. */
async function call(server: ServiceProcess) {
  const signIn = await fetch(`${server.baseUrl}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"Ana Agent"}',
  });
  const { token } = (await signIn.json()) as { token: string };
  const visitor = await connect(server);
  visitor.send({ type: 'visitor.start' });
  const created = await visitor.next('session.created');
  const agent = await connect(server);
  agent.send({ type: 'agent.join', token, code: created.code });
  await agent.next('session.joined');
  return { visitor, agent, created };
}

/** What the store holds of a session and its participants, read straight from the SQLite file. */
function stored(sessionId: string) {
  const db = new Database(database, { readonly: true });
  try {
    const session = db.prepare('SELECT status, end_reason AS endReason FROM sessions WHERE id = ?').get(sessionId) as {
      status: string;
      endReason: string | null;
    };
    const participants = db
      .prepare('SELECT role, left_at AS leftAt, leave_reason AS leaveReason FROM participants WHERE session_id = ?')
      .all(sessionId) as Array<{ role: string; leftAt: number | null; leaveReason: string | null }>;
    return { session, participants };
  } finally {
    db.close();
  }
}

describe('a restart of the service', () => {
  it('SIGTERM ends every live session for its members, in the store, and for a client resuming afterwards', async () => {
    const first = await service();
    const { visitor, agent, created } = await call(first);
    expect(await first.stop()).toBe(0);
    expect(await visitor.next('session.ended')).toEqual({ type: 'session.ended', reason: EndReason.ServiceRestart });
    expect((await agent.next('session.ended')).reason).toBe(EndReason.ServiceRestart);
    expect((await visitor.closed()).code).toBe(CloseCode.SessionEnded);
    expect(stored(created.sessionId)).toEqual({
      session: { status: 'ended', endReason: EndReason.ServiceRestart },
      participants: [
        { role: 'visitor', leftAt: expect.any(Number), leaveReason: EndReason.ServiceRestart },
        { role: 'agent', leftAt: expect.any(Number), leaveReason: EndReason.ServiceRestart },
      ],
    });

    const second = await service();
    const back = await connect(second);
    back.send({ type: 'session.resume', resumeToken: created.resumeToken });
    expect(await back.next('session.ended')).toEqual({ type: 'session.ended', reason: EndReason.ServiceRestart });
    await second.stop();
  });

  it('kill -9 leaves the session open only until the next start, which ends it; resuming is told so', async () => {
    const doomed = await service();
    const { created } = await call(doomed);
    await doomed.kill();
    expect(stored(created.sessionId).session.status).toBe('active');

    const next = await service();
    expect(stored(created.sessionId)).toEqual({
      session: { status: 'ended', endReason: EndReason.ServiceRestart },
      participants: [
        { role: 'visitor', leftAt: expect.any(Number), leaveReason: EndReason.ServiceRestart },
        { role: 'agent', leftAt: expect.any(Number), leaveReason: EndReason.ServiceRestart },
      ],
    });
    const back = await connect(next);
    back.send({ type: 'session.resume', resumeToken: created.resumeToken });
    expect(await back.next('session.ended')).toEqual({ type: 'session.ended', reason: EndReason.ServiceRestart });
    // A token that names no stored session is still just refused.
    back.send({ type: 'session.resume', resumeToken: 'x'.repeat(64) });
    expect((await back.next('error')).code).toBe('resume_failed');
    await next.stop();
  });
});
