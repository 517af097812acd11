import type { DeepPartial } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { startServer, type RunningServer } from './testServer';
import { inviteTokenOf, startCall, TestClient } from './wsClient';

/* The lifecycle the integration files share: one real service for the file (started in beforeAll, stopped in
 * afterAll), and the test sockets opened through it closed after each test. */

export interface ServiceSuite {
  /** The running service (from beforeAll on). */
  readonly server: RunningServer;
  /** A test socket to the service, closed after the test. */
  connect(headers?: Record<string, string>): Promise<TestClient>;
  /** startCall (a visitor's session and an agent joined with its code), its two sockets closed after the test. */
  call(agentToken: string): ReturnType<typeof startCall>;
  /** A guest the agent invites and admits (their socket closed after the test), once they are in the session. */
  admitGuest(agent: TestClient, name?: string): Promise<TestClient>;
  /** Closes these sockets after the test too. */
  track(...clients: TestClient[]): void;
}

/** Registers the hooks (call it at the top level, before the file's own hooks) and returns accessors. */
export function serviceSuite(overrides?: DeepPartial<Config>): ServiceSuite {
  let server: RunningServer | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startServer(overrides);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => server?.stop());

  const suite: ServiceSuite = {
    get server() {
      if (!server) throw new Error('the service starts in beforeAll');
      return server;
    },
    async connect(headers) {
      const c = await TestClient.connect(suite.server.wsUrl, headers);
      clients.push(c);
      return c;
    },
    async call(agentToken) {
      const c = await startCall(suite.server.wsUrl, agentToken);
      clients.push(c.visitor, c.agent);
      return c;
    },
    async admitGuest(agent, name = 'Gil') {
      agent.send({ type: 'guest.invite.create' });
      const invite = inviteTokenOf(await agent.next('guest.invite'));
      const guest = await suite.connect();
      guest.send({ type: 'guest.request', invite, name });
      agent.send({ type: 'guest.admit', code: (await guest.next('guest.code')).code });
      await guest.next('session.joined');
      return guest;
    },
    track(...opened) {
      clients.push(...opened);
    },
  };
  return suite;
}
