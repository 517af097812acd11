import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './testServer';

/* A real coturn (Debian's `coturn` package, /usr/bin/turnserver) for one test file, on loopback, checking TURN REST
 * credentials (`use-auth-secret`) against the same shared secret as the service's `ice.turnSecret`. */

export interface Coturn {
  /** Its UDP TURN url, for the service's `ice.turnUrls`. */
  readonly url: string;
  /** The same port over TCP (for clients whose network lets no UDP through). */
  readonly tcpUrl: string;
  /** TURN over TLS (`turns:`, certificate for `localhost`), when started with `tls`. */
  readonly tlsUrl?: string;
  /** The PEM file of that self-signed certificate. */
  readonly certificate?: string;
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
  /** Also listen for TURN over TLS, with a self-signed certificate for `localhost` made for the run. */
  tls?: boolean;
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

export async function startCoturn({ secret, realm = 'tandem.test', tls = false }: CoturnOptions): Promise<Coturn> {
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
  const tlsPort = tls ? await freePort() : undefined;
  const certificate = tls ? selfSignedFor(dir) : undefined;
  const tlsArgs =
    tlsPort === undefined || !certificate
      ? ['--no-tls']
      : [
          `--tls-listening-port=${tlsPort}`,
          `--cert=${certificate.cert}`,
          `--pkey=${certificate.key}`,
          '--no-tlsv1',
          '--no-tlsv1_1',
        ];
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
    ...tlsArgs,
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
    tcpUrl: `turn:127.0.0.1:${port}?transport=tcp`,
    ...(tlsPort === undefined || !certificate
      ? {}
      : { tlsUrl: `turns:localhost:${tlsPort}?transport=tcp`, certificate: certificate.cert }),
    port,
    realm,
    relayPorts,
    log: () => text,
    waitForLine,
    stop,
  };
}

/** A key and a self-signed certificate for `localhost` in `dir` (openssl), for coturn's `cert` and `pkey`. */
function selfSignedFor(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'pipe' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr.toString()}`);
  return { cert, key };
}

/** A HOME for a browser whose certificate store (NSS, as Chromium on Linux reads it) trusts `certificate`, as a
 * deployment's TURN server is trusted through its real certificate authority. Needs `certutil` (libnss3-tools). */
export function homeTrusting(certificate: string): string {
  const home = mkdtempSync(path.join(tmpdir(), 'tandem-nss-'));
  const db = path.join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  for (const args of [
    ['-d', `sql:${db}`, '-N', '--empty-password'],
    ['-d', `sql:${db}`, '-A', '-t', 'CP,,', '-n', 'tandem-test-turn', '-i', certificate],
  ]) {
    const run = spawnSync('certutil', args, { stdio: 'pipe' });
    if (run.status !== 0) throw new Error(`certutil ${args.join(' ')}: ${run.stderr.toString()}`);
  }
  return home;
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
