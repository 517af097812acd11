import { spawn, type ChildProcess } from 'node:child_process';

/* A benchmark's server in a child process that speaks childControl.ts's line protocol: started with the node flags
 * and arguments given, ready once it prints {"ready":true,"port":N}, asked for figures by command, stopped with
 * "exit" (killed if it doesn't go). Every child a benchmark starts is tracked, so that it can kill them all when it
 * gives up. Used by bench:signaling (tandemServer.ts, bareRelay.ts) and the browser benchmarks (embeddedService.ts). */

const children = new Set<ChildProcess>();
/** Children we are stopping on purpose: their exit is not reported. */
const stopping = new WeakSet<ChildProcess>();

/** Tracks a child process of the benchmark's (killChildren kills it). */
export function trackChild(proc: ChildProcess): void {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
}

/** Kills every tracked child now. */
export function killChildren(): void {
  for (const proc of children) {
    stopping.add(proc);
    proc.kill('SIGKILL');
  }
}

/** Kills one child and waits for it to be gone. */
export async function killChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  stopping.add(proc);
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ServerChild {
  private pending: Array<(line: Record<string, unknown>) => void> = [];
  private buffer = '';
  readonly exited: Promise<number | null>;

  private constructor(
    /** What the child is, in messages ("tandem", "bare", "service"). */
    readonly label: string,
    private readonly proc: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          process.stderr.write(`[${label}] ${line}\n`);
          continue;
        }
        this.pending.shift()?.(parsed);
      }
    });
  }

  /** Runs `node [nodeArgs] entry [args]` and waits (30 s at most) for its ready line. */
  static async start(
    label: string,
    entry: string,
    nodeArgs: readonly string[],
    args: readonly string[] = [],
  ): Promise<{ child: ServerChild; port: number }> {
    const proc = spawn(process.execPath, [...nodeArgs, entry, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    trackChild(proc);
    proc.once('exit', (code, signal) => {
      if (!stopping.has(proc)) process.stderr.write(`${label} server exited unexpectedly (${signal ?? code})\n`);
    });
    const child = new ServerChild(label, proc);
    const ready = await Promise.race([
      child.next(),
      child.exited.then((code) => Promise.reject(new Error(`${label} server exited with ${code} before it was ready`))),
      delay(30_000).then(() => Promise.reject(new Error(`${label} server not ready after 30 s`))),
    ]);
    if (typeof ready.port !== 'number') throw new Error(`${label} server sent ${JSON.stringify(ready)}`);
    return { child, port: ready.port };
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  /** One command of childControl.ts's protocol and its one-line answer. */
  async command(line: string): Promise<Record<string, unknown>> {
    const answer = this.next();
    this.proc.stdin?.write(`${line}\n`);
    const result = await answer;
    if (typeof result.error === 'string') throw new Error(`${this.label} server: ${result.error}`);
    return result;
  }

  /** Asks the child to close and exit (which also writes a --cpu-prof profile); kills it if it doesn't. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    stopping.add(this.proc);
    this.proc.stdin?.end('exit\n');
    const code = await Promise.race([this.exited, delay(10_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}
