import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths';
import { eventually } from './eventually';
import { freePort } from './testServer';

/* A real HAProxy (Debian's package) in front of service instances, running the configuration docs/deploy.md gives
 * operators: the block is read from the document, and only what a loopback test must change is replaced (the bind
 * line without TLS, the servers, maxconn), plus HAProxy's runtime API on a socket of the test's own, through which a
 * test tells HAProxy which instances take new connections (`setState`), as an operator would during maintenance. So
 * the documented configuration is the tested one. */

/** Debian installs it in /usr/sbin, which a non-root PATH may leave out. */
const HAPROXY = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';

export interface Haproxy {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  wsUrl: string;
  /** Everything HAProxy logged so far (its request log and server state changes). */
  log(): string;
  /** Waits until HAProxy's health checks see the named server as up or down. */
  waitForServer(name: string, state: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  /** One command of HAProxy's runtime API (`show stat`, `set server tandem/tandem1 state drain`, ...) and its answer. */
  command(line: string): Promise<string>;
  /** An operator's `set server ... state`: `drain` takes no new connections but keeps those it has (and its health
   * checks); `ready` takes them again. */
  setState(name: string, state: 'ready' | 'drain'): Promise<void>;
  /** Current connections (HAProxy's `scur`) per server. */
  connections(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface Backend {
  name: string;
  port: number;
}

/** The `haproxy` fenced block of docs/deploy.md. */
export function documentedConfig(): string {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'deploy.md'), 'utf8');
  const block = /```haproxy\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/deploy.md has no ```haproxy block');
  return block;
}

/** The documented configuration for loopback: plain HTTP on `port`, these backends, a maxconn the machine allows, and
 * (when given) the runtime API on a UNIX socket. */
export function loopbackConfig(port: number, backends: Backend[], adminSocket?: string): string {
  let config = documentedConfig();
  const replace = (pattern: RegExp, replacement: string) => {
    if (!pattern.test(config)) throw new Error(`docs/deploy.md's haproxy block changed: no match for ${pattern}`);
    config = config.replace(pattern, replacement);
  };
  replace(/^\s*bind .*$/m, `    bind 127.0.0.1:${port}`);
  replace(/^\s*maxconn \d+$/m, '    maxconn 4000');
  if (adminSocket) replace(/^global\n/m, `global\n    stats socket ${adminSocket} mode 600 level admin\n`);
  config = config.replace(/^\s*server .*\n/gm, '');
  return config.trimEnd() + '\n' + backends.map((b) => `    server ${b.name} 127.0.0.1:${b.port} check\n`).join('');
}

/** Starts HAProxy on `options.port` (a free one by default: a cluster whose instances must know their public address
 * before HAProxy starts picks it first). */
export async function startHaproxy(backends: Backend[], options: { port?: number } = {}): Promise<Haproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-haproxy-'));
  const port = options.port ?? (await freePort());
  const file = path.join(dir, 'haproxy.cfg');
  const adminSocket = path.join(dir, 'admin.sock');
  writeFileSync(file, loopbackConfig(port, backends, adminSocket));
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exited: string | undefined;
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const gone = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (exited) throw new Error(`haproxy ${exited}:\n${log}`);
      return fetch(`${baseUrl}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
    },
    (status) => status === 200,
    'HAProxy to answer through a backend',
    15_000,
    50,
  );
  const serverState = (name: string, state: string) => new RegExp(`Server tandem/${name} is ${state}`);
  const command = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(adminSocket);
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.end(`${line}\n`);
    });
  return {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    log: () => log,
    async waitForServer(name, state, timeoutMs = 10_000) {
      await eventually(
        async () => log,
        (text) => serverState(name, state).test(text),
        `HAProxy to see ${name} ${state}`,
        timeoutMs,
        100,
      );
    },
    command,
    async setState(name, state) {
      const answer = await command(`set server tandem/${name} state ${state}`);
      if (answer.trim()) throw new Error(`haproxy refused "set server tandem/${name} state ${state}": ${answer}`);
    },
    async connections() {
      // CSV: # pxname,svname,qcur,qmax,scur,...
      const rows = (await command('show stat')).split('\n').map((line) => line.split(','));
      const counts: Record<string, number> = {};
      for (const row of rows)
        if (row[0] === 'tandem' && row[1] && row[1] !== 'BACKEND' && row[1] !== 'FRONTEND')
          counts[row[1]] = Number(row[4]);
      return counts;
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
