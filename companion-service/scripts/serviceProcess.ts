import { createServer, type AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../src/paths';

/* The service as its own process, started the way `npm start` starts it (its entry point, configured by environment
 * variables), for what an in-process server can't show: a crash, SIGTERM, kill -9, a restart on the same database. */

export interface ServiceProcess {
  child: ChildProcess;
  baseUrl: string;
  wsUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  log(): string;
  /** Why the process is gone (exit code or signal), or undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM, and wait for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all, as a crash or an OOM kill. */
  kill(): Promise<void>;
}

/** A port nothing listens on now. A random pick could land on a port another process is using: the old range,
 * 20000-40000, overlaps the kernel's ephemeral ports, one of which every outgoing connection takes. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startServiceProcess(
  env: Record<string, string>,
  requestedPort?: number,
): Promise<ServiceProcess> {
  const port = requestedPort ?? (await freePort());
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'companion-service', 'src', 'main.ts')],
    {
      cwd: repoRoot,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), TANDEM_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  let exit: string | undefined;
  const exitCode = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = `exited with ${signal ?? code}`;
      resolve(code);
    }),
  );
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (exit) throw new Error(`the service did not start: ${exit}\n${log}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start in time\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    log: () => log,
    exited: () => exit,
    async stop() {
      if (!exit) child.kill('SIGTERM');
      return exitCode;
    },
    async kill() {
      if (!exit) child.kill('SIGKILL');
      await exitCode;
    },
  };
}
