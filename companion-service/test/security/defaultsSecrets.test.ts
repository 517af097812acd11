import { spawn } from 'node:child_process';
import path from 'node:path';
import { signAgentToken } from '../../src/auth/agentToken';
import { repoRoot } from '../../src/paths';
import { ErrorCode } from '../../src/protocol/codes';
import { DEVELOPMENT_TENANT } from '../../src/tenancy/tenants';
import { Changes, eventually } from '../helpers/eventually';
import { OWN_AGENT_TOKEN_SECRET } from '../helpers/ownSecrets';
import { startServer, type RunningServer } from '../helpers/testServer';
import { TestClient } from '../helpers/wsClient';

/* Finding 3: defaults that must not be open. The development agent-token secret and the demo site's keys are
 * published in config/default.json, and the production profile took the published secret from the environment (a
 * forged token got 200); the demo portal's pages were served in production too. */

jest.setTimeout(30_000);

const PUBLISHED_AGENT_SECRET = 'embedded-development-secret-change-me-in-production';
const PUBLISHED_DEMO_SITE = {
  id: 'demo',
  apiKey: 'demo-site-api-key-for-local-use-only',
  signingSecret: 'demo-site-signing-secret-for-local-use-only',
};

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function production(env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const server = await startServer(
    {},
    { profile: 'production', env: { TANDEM_AGENT_TOKEN_SECRET: OWN_AGENT_TOKEN_SECRET, ...env } },
  );
  servers.push(server);
  return server;
}

describe('published secrets', () => {
  it('stop the production profile at start, naming the setting', async () => {
    await expect(production({ TANDEM_AGENT_TOKEN_SECRET: PUBLISHED_AGENT_SECRET })).rejects.toThrow(
      /"agentTokenSecret" \(environment variable TANDEM_AGENT_TOKEN_SECRET\) is a secret published in this repository's config\/default\.json/,
    );
    // With surrounding spaces, too.
    await expect(production({ TANDEM_AGENT_TOKEN_SECRET: ` ${PUBLISHED_AGENT_SECRET} ` })).rejects.toThrow(
      /TANDEM_AGENT_TOKEN_SECRET/,
    );
  });

  it("stop it when a site uses the demo site's published keys", async () => {
    const sites = JSON.stringify([{ ...PUBLISHED_DEMO_SITE, id: 'shop' }]);
    await expect(production({ TANDEM_SITES: sites })).rejects.toThrow(
      /"sites\.0\.apiKey" \(environment variable TANDEM_SITES\) is a secret published/,
    );
    const onlySigning = JSON.stringify([
      { id: 'shop', apiKey: 'a-key-of-our-own-0123456789', signingSecret: PUBLISHED_DEMO_SITE.signingSecret },
    ]);
    await expect(production({ TANDEM_SITES: onlySigning })).rejects.toThrow(/"sites\.0\.signingSecret"/);
  });

  it('stop the default profile too once the development sign-in is turned off', async () => {
    await expect(startServer({}, { env: { TANDEM_DEV_SIGN_IN: 'false' } })).rejects.toThrow(
      /"agentTokenSecret".*turn on the development sign-in \(devSignIn/,
    );
  });

  it('are accepted while the development sign-in is explicitly on', async () => {
    const server = await production({ TANDEM_AGENT_TOKEN_SECRET: PUBLISHED_AGENT_SECRET, TANDEM_DEV_SIGN_IN: 'true' });
    expect(server.config.devSignIn).toBe(true);
  });
});

describe('a production-profile service', () => {
  it('refuses an agent token forged with the published secret, on every agent path', async () => {
    const server = await production();
    const forged = signAgentToken(
      { sub: 'dev:mallory', name: 'Mallory', org: DEVELOPMENT_TENANT, privileges: [] },
      PUBLISHED_AGENT_SECRET,
      Date.now(),
      3600,
    ).token;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${forged}` };
    const invitation = await fetch(`${server.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ visitorId: '003X' }),
    });
    expect(invitation.status).toBe(401);
    const ticket = await fetch(`${server.baseUrl}/api/agent/console-tickets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ code: '123456' }),
    });
    expect(ticket.status).toBe(401);
    expect((await fetch(`${server.baseUrl}/api/agent/presence/003X`, { headers })).status).toBe(401);
    const socket = await TestClient.connect(server.wsUrl, { origin: server.baseUrl });
    try {
      socket.send({ type: 'agent.watch', token: forged, visitorIds: ['003X'] });
      expect((await socket.next('error')).code).toBe(ErrorCode.Unauthorized);
    } finally {
      socket.close();
    }
    // Its own secret's tokens are the only ones that count (and its development sign-in is off).
    expect(
      (
        await fetch(`${server.baseUrl}/api/dev/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"Mallory"}',
        })
      ).status,
    ).toBe(404);
  });

  it('serves no demo portal page, and the rest as ever', async () => {
    const server = await production();
    for (const page of [
      '/',
      '/index.html',
      '/portal/form.html',
      '/portal/portal.js',
      '/portal/portal.css',
      '/portal/',
      '/%70ortal/form.html',
      '/join/../portal/form.html',
    ]) {
      expect([page, (await fetch(`${server.baseUrl}${page}`)).status]).toEqual([page, 404]);
    }
    for (const page of ['/join', '/console', '/guest', '/widget.js', '/join/join.js']) {
      expect([page, (await fetch(`${server.baseUrl}${page}`)).status]).toEqual([page, 200]);
    }
    expect((await fetch(`${server.baseUrl}/api/demo/customers`)).status).toBe(404);
  });

  it('while the demo portal stays on the development profile', async () => {
    const server = await startServer();
    servers.push(server);
    expect((await fetch(`${server.baseUrl}/`)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/portal/form.html`)).status).toBe(200);
  });
});

describe('the development sign-in', () => {
  it('is announced loudly at every start while it is on', async () => {
    const child = spawn(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      [path.join(repoRoot, 'companion-service', 'src', 'main.ts')],
      {
        cwd: repoRoot,
        env: { ...process.env, HOST: '127.0.0.1', PORT: '0', TANDEM_LOG_LEVEL: 'info', TANDEM_SQLITE_PATH: ':memory:' },
      },
    );
    let output = '';
    const printed = new Changes();
    const collect = (d: Buffer) => {
      output += d.toString();
      printed.notify();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually(
        () => output,
        (o) => o.includes('Tandem is running'),
        'the service to start',
        20_000,
        printed.next,
      );
      const warning = output.split('\n').find((line) => line.includes('DEVELOPMENT SIGN-IN IS ON'));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning!)).toMatchObject({ level: 40 });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
