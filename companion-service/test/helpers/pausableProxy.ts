import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/* A TCP forwarder between one service and a shared server (PostgreSQL) that a test can cut, so that only this service
 * loses the server, which itself never stops (other tests using it are not disturbed). Two ways to lose it:
 * pause(): every connection is reset, and each new one as it arrives, as when the database is down;
 * stall(): nothing goes through any more and nothing is refused, as when the network between them drops packets.
 * resume() forwards again (stalled connections are reset then: their bytes are lost). */

export interface PausableProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  pause(): void;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPausableProxy(target: { host: string; port: number }): Promise<PausableProxy> {
  let state: 'forwarding' | 'paused' | 'stalled' = 'forwarding';
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    // A reset is the point of pausing: its errors are expected, not failures of the test.
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (state === 'paused') return void client.resetAndDestroy();
    if (state === 'stalled') return void client.pause();
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    pause() {
      state = 'paused';
      for (const socket of open) socket.resetAndDestroy();
    },
    stall() {
      state = 'stalled';
      for (const socket of open) {
        socket.unpipe();
        socket.pause();
      }
    },
    resume() {
      if (state === 'stalled') for (const socket of open) socket.resetAndDestroy();
      state = 'forwarding';
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
