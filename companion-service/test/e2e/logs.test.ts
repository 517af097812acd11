import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { visitorStartsHere } from '../helpers/people';
import { consoleTicket, devToken, startServer, type RunningServer } from '../helpers/testServer';

/* The service's logs over a whole call in real Chromium, at the most detailed level: no secret (the service's own,
 * an agent token, a console ticket, a resume token, TURN credentials) and nothing the customer typed into a private
 * field appears in them, and every line about a participant names its session. */

jest.setTimeout(90_000);

const TURN_SECRET = 'turn-secret-for-the-log-test-0123456789';
const SECRETS = { password: 'Hunter2-Secret!', sortCode: '40-11-62' };
const lines: string[] = [];
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer(
    {
      logLevel: 'trace',
      ice: { turnUrls: ['turn:127.0.0.1:3478'], turnSecret: TURN_SECRET, turnTtlSeconds: 600, servers: [] },
    } as never,
    { logStream: { write: (line) => void lines.push(line) } },
  );
  browser = await launchBrowser('allow');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function page(): Promise<Page> {
  return (await newContext(browser, { recordSockets: true })).newPage();
}

/** What the page's sockets received of one type. */
async function received(p: Page, type: string): Promise<Array<Record<string, unknown>>> {
  return p.evaluate(
    (t) =>
      (window as unknown as { __ws: { received: Array<{ type: string }> } }).__ws.received.filter((m) => m.type === t),
    type,
  );
}

it('holds no secret and no private value, and names the session on every line about a participant', async () => {
  const visitor = await page();
  await visitor.goto(`${server.baseUrl}/portal/form.html`);
  const code = await visitorStartsHere(visitor, 15_000);
  await visitor.locator('#portal-password').fill(SECRETS.password);

  const token = await devToken(server, 'Ana Agent');
  const ticket = await consoleTicket(server, token, code);
  const agent = await page();
  await agent.goto(`${server.baseUrl}/console#ticket=${encodeURIComponent(ticket)}`);
  await agent
    .frameLocator('[data-testid="live-view"] iframe')
    .getByRole('heading', { name: 'Update your details' })
    .waitFor({ timeout: 20_000 });
  await visitor.locator('#sort-code').fill(SECRETS.sortCode);
  await visitor.locator('#sort-code').press('Tab');
  // A wrong message and a refused one, so the error paths log too.
  await agent.evaluate(() =>
    (window as unknown as { __ws: { sockets: WebSocket[] } }).__ws.sockets.at(-1)!.send('{"type":"nonsense"}'),
  );

  // A one-time code in a query string (as Salesforce's OAuth callback gets one) is not logged with the request.
  const queryCode = 'one-time-code-in-a-query-0123456789';
  expect((await fetch(`${server.baseUrl}/api/config?code=${queryCode}`)).status).toBe(200);

  const secrets: string[] = [
    queryCode,
    token,
    ticket,
    TURN_SECRET,
    SECRETS.password,
    SECRETS.sortCode,
    server.config.agentTokenSecret,
  ];
  for (const site of server.config.sites) secrets.push(site.signingSecret, site.apiKey);
  for (const p of [visitor, agent]) {
    for (const m of [...(await received(p, 'session.created')), ...(await received(p, 'session.joined'))]) {
      secrets.push(m.resumeToken as string);
      for (const ice of (m.iceServers as Array<{ credential?: string }>) ?? [])
        if (ice.credential) secrets.push(ice.credential);
    }
  }
  expect(secrets.filter((s) => s.length >= 8).length).toBeGreaterThanOrEqual(9);

  await agent.locator('#end-button').click();
  await visitor.getByText('Call ended').waitFor({ timeout: 10_000 });
  const ended = await eventually(
    async () => lines.filter((l) => l.includes('"event":"session.ended"')),
    (l) => l.length > 0,
    'the ended event in the logs',
  );
  expect(ended).toHaveLength(1);

  const text = lines.join('');
  for (const secret of secrets.filter((s) => s.length >= 8)) {
    expect({ secret: secret.slice(0, 6), inLogs: text.includes(secret) }).toEqual({
      secret: secret.slice(0, 6),
      inLogs: false,
    });
  }
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const aboutParticipants = entries.filter((e) => typeof e.participantId === 'string');
  expect(aboutParticipants.length).toBeGreaterThan(2);
  expect(aboutParticipants.filter((e) => typeof e.sessionId !== 'string')).toEqual([]);
  const sessionIds = new Set(entries.filter((e) => e.msg === 'session event').map((e) => e.sessionId));
  expect(sessionIds.size).toBe(1);
});
