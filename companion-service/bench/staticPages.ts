/* A bare HTTP server for the benchmarks' floor pages (bareCall.ts, rrwebFloor.ts): fixed bodies by path, nothing of
 * Tandem's. Loopback only; served as http://localhost:<port>, a secure context (cameras, BroadcastChannel). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticBody {
  type: string;
  body: string | Buffer;
}

export interface StaticServer {
  server: Server;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function serveStatic(routes: Record<string, StaticBody>): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const route = routes[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!route || request.method !== 'GET') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://localhost:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
