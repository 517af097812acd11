import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths';
import { eventually } from './eventually';
import { freePort } from './testServer';

/* A real HAProxy (Debian's package) in front of service instances, running the configuration docs/deploy.md gives
 * operators: the block is read from the document, and only what a loopback test must change is replaced (the bind
 * line without TLS, the servers, maxconn). So the documented configuration is the tested one. */

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

/** The documented configuration for loopback: plain HTTP on `port`, these backends, a maxconn the machine allows. */
export function loopbackConfig(port: number, backends: Backend[]): string {
  let config = documentedConfig();
  const replace = (pattern: RegExp, replacement: string) => {
    if (!pattern.test(config)) throw new Error(`docs/deploy.md's haproxy block changed: no match for ${pattern}`);
    config = config.replace(pattern, replacement);
  };
  replace(/^\s*bind .*$/m, `    bind 127.0.0.1:${port}`);
  replace(/^\s*maxconn \d+$/m, '    maxconn 4000');
  config = config.replace(/^\s*server .*\n/gm, '');
  return config.trimEnd() + '\n' + backends.map((b) => `    server ${b.name} 127.0.0.1:${b.port} check\n`).join('');
}

export async function startHaproxy(backends: Backend[]): Promise<Haproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-haproxy-'));
  const port = await freePort();
  const file = path.join(dir, 'haproxy.cfg');
  writeFileSync(file, loopbackConfig(port, backends));
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
      return fetch(`${baseUrl}/healthz`).then((r) => r.status, () => 0);
    },
    (status) => status === 200,
    'HAProxy to answer through a backend',
    15_000,
    50,
  );
  const serverState = (name: string, state: string) => new RegExp(`Server tandem/${name} is ${state}`);
  return {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    log: () => log,
    async waitForServer(name, state, timeoutMs = 10_000) {
      await eventually(async () => log, (text) => serverState(name, state).test(text), `HAProxy to see ${name} ${state}`, timeoutMs, 100);
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
