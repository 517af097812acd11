import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './testServer';

/* A real coturn (Debian's `coturn` package, /usr/bin/turnserver) for one test file, on loopback, checking TURN REST
 * credentials (`use-auth-secret`) against the same shared secret as the service's `ice.turnSecret`. */

export interface Coturn {
  /** Its UDP TURN url, for the service's `ice.turnUrls`. */
  readonly url: string;
  readonly port: number;
  readonly realm: string;
  /** The relay ports it allocates from. */
  readonly relayPorts: { min: number; max: number };
  /** Everything it has logged so far (stdout and stderr). */
  log(): string;
  /** Waits until a log line matches, and returns that line. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface CoturnOptions {
  /** coturn's `static-auth-secret`: the service's `ice.turnSecret`. */
  secret: string;
  realm?: string;
}

export const TURNSERVER = process.env.TURNSERVER_PATH ?? 'turnserver';

/** Peer ranges a public TURN server must not relay into (its own private networks, cloud metadata), as in
 * docs/deploy.md's turnserver.conf; the test runs with them so that config is the one tested. Loopback is not
 * listed: coturn refuses loopback peers unless `allow-loopback-peers`. */
export const DENIED_PEER_RANGES = [
  '0.0.0.0-0.255.255.255',
  '10.0.0.0-10.255.255.255',
  '100.64.0.0-100.127.255.255',
  '169.254.0.0-169.254.255.255',
  '172.16.0.0-172.31.255.255',
  '192.168.0.0-192.168.255.255',
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  '::ffff:0.0.0.0-::ffff:255.255.255.255',
];

export function turnserverInstalled(): boolean {
  return spawnSync(TURNSERVER, ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startCoturn({ secret, realm = 'tandem.test' }: CoturnOptions): Promise<Coturn> {
  if (!turnserverInstalled())
    throw new Error(
      `${TURNSERVER} not found: install Debian's coturn package (apt-get install coturn) or set TURNSERVER_PATH`,
    );
  const port = await freePort();
  // Relay ports below Linux's ephemeral range (32768+), at a random place so parallel runs rarely meet.
  const min = 20_000 + 200 * Math.floor(Math.random() * 50);
  const relayPorts = { min, max: min + 199 };
  // Its own directory for the pid file and the SQLite user database it opens even when no user is stored there,
  // instead of /var/run and /var/lib/turn.
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-coturn-'));
  const args = [
    '-n', // no config file: everything is on this command line
    `--listening-ip=127.0.0.1`,
    `--listening-port=${port}`,
    `--relay-ip=127.0.0.1`,
    `--min-port=${relayPorts.min}`,
    `--max-port=${relayPorts.max}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    `--realm=${realm}`,
    '--fingerprint',
    // As in production (docs/deploy.md).
    '--no-multicast-peers',
    ...DENIED_PEER_RANGES.map((range) => `--denied-peer-ip=${range}`),
    '--user-quota=30',
    '--total-quota=3000',
    // Both browsers' relay addresses are on 127.0.0.1, so each relay's peer is a loopback address, which coturn
    // refuses unless told otherwise (never in production: see docs/deploy.md).
    '--allow-loopback-peers',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-rfc5780',
    `--pidfile=${path.join(dir, 'turnserver.pid')}`,
    `--db=${path.join(dir, 'turndb')}`,
    '--log-file=stdout',
    // 'Moderate' verbosity: one line per processed request with its realm and user, and the reason for refusals.
    '--verbose',
  ];
  const child = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
    for (const wake of waiters) wake();
  });

  const waitForLine = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = text.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) done(() => resolve(line));
        else if (!running) done(() => reject(new Error(`coturn exited before logging ${pattern}:\n${text}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`coturn did not log ${pattern} within ${timeoutMs} ms:\n${tail(text)}`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await untilAnswersStun(port, child, () => text);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    realm,
    relayPorts,
    log: () => text,
    waitForLine,
    stop,
  };
}

/** The last lines of a log, for error messages. */
function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Listening is not enough: its worker threads start after the listener. A STUN Binding answered over UDP means it
 * serves requests. */
async function untilAnswersStun(
  port: number,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const socket = createSocket('udp4');
  try {
    const answered = new Promise<void>((resolve) => {
      socket.on('message', (msg) => {
        // Binding success response (0x0101) with the magic cookie.
        if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.readUInt32BE(4) === 0x2112a442) resolve();
      });
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${log()}`);
      if (Date.now() > deadline)
        throw new Error(`turnserver did not answer STUN on 127.0.0.1:${port} within ${timeoutMs} ms:\n${tail(log())}`);
      const request = Buffer.alloc(20);
      request.writeUInt16BE(0x0001, 0); // Binding request, no attributes
      request.writeUInt32BE(0x2112a442, 4);
      randomBytes(12).copy(request, 8);
      socket.send(request, port, '127.0.0.1');
      const ok = await Promise.race([
        answered.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 200)),
      ]);
      if (ok) return;
    }
  } finally {
    socket.close();
  }
}
