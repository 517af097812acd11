import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/* A TCP proxy in front of a server (Redis), which a test can cut: the connections through it drop and new ones are
 * dropped as soon as they are accepted, as when the server goes away; restored, it passes connections on again. Only
 * the clients using the proxy see the outage, not the server's other users. With `latencyMs`, every chunk is passed on
 * that much later in each direction, in order: a server across a slower network. */

export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(
  targetHost: string,
  targetPort: number,
  { latencyMs = 0 }: { latencyMs?: number } = {},
): Promise<TcpProxy> {
  let cut = false;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(targetPort, targetHost);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (latencyMs === 0) return void client.pipe(upstream).pipe(client);
    const later = (to: Socket) => (chunk: Buffer) => setTimeout(() => to.destroyed || to.write(chunk), latencyMs);
    client.on('data', later(upstream));
    upstream.on('data', later(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = () => {
    cut = true;
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut: cutAll,
    restore() {
      cut = false;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
