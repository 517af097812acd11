import { startServer, type RunningServer } from '../helpers/testServer';

/* /openapi.json is served while development sign-in is on (not in production), and the favicon every browser asks
 * the service's pages for exists. */

jest.setTimeout(30_000);

let development: RunningServer;
let production: RunningServer;
beforeAll(async () => {
  development = await startServer();
  production = await startServer(
    {},
    { profile: 'production', env: { TANDEM_AGENT_TOKEN_SECRET: 'a-secret-of-this-deployment-only-0123456789' } },
  );
});
afterAll(async () => {
  await development?.stop();
  await production?.stop();
});

it('serves the OpenAPI document in development only', async () => {
  const served = await fetch(`${development.baseUrl}/openapi.json`);
  expect(served.status).toBe(200);
  const doc = (await served.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc.openapi).toMatch(/^3\./);
  expect(Object.keys(doc.paths)).toContain('/api/agent/console-tickets');
  expect((await fetch(`${production.baseUrl}/openapi.json`)).status).toBe(404);
});

it('has a favicon, in production too', async () => {
  for (const server of [development, production]) {
    const icon = await fetch(`${server.baseUrl}/favicon.ico`);
    expect(icon.status).toBe(200);
    const bytes = Buffer.from(await icon.arrayBuffer());
    // An ICO file: reserved 0, type 1 (icon), at least one image.
    expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2), bytes.readUInt16LE(4) > 0]).toEqual([0, 1, true]);
  }
});
