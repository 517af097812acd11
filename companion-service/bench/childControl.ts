/* Shared by the benchmark's child processes (tandemServer.ts, bareRelay.ts): a tiny line protocol on stdio so the
 * parent can read the child's CPU time and profile it, and a clean exit when the parent goes away.
 *
 *   child -> parent (stdout): {"ready":true,"port":N,"pid":P} once listening; then one JSON line per command:
 *   parent -> child (stdin):
 *     "cpu"                 -> {"cpu":{"user":µs,"system":µs},"rss":bytes,"now":ms on the child's clock,
 *                               "loopP99":ms,"loopMax":ms,  (event-loop delay since the previous "cpu")
 *                               "gc":{"totalMs","maxMs","count"}}  (GC pauses since the previous "cpu")
 *     "profile-start"       -> {"profiling":true}            (V8 CPU profiler via node:inspector)
 *     "profile-stop <file>" -> {"profile":"<file>"}          (writes a .cpuprofile, DevTools format)
 *     "heap-snapshot <file>" -> {"heapSnapshot":"<file>","heapUsed":bytes}  (V8 collects garbage first)
 *     "exit"                -> closes the server and exits 0
 *   stdin EOF (the parent died) or SIGTERM/SIGINT -> the same as "exit". */
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { GcPauses } from './gcPauses';

export function reply(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export function serveControl(close: () => Promise<void>): void {
  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    // Never hang on a slow close: the parent is waiting for us to go.
    const force = setTimeout(() => process.exit(0), 5_000);
    force.unref();
    close()
      .catch((err: unknown) => process.stderr.write(`close failed: ${String(err)}\n`))
      .finally(() => process.exit(0));
  };

  // A saturated loop starves timers (libuv keeps draining socket events); this shows by how much.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const gc = new GcPauses();
  let profiler: Session | undefined;

  const run = async (command: string): Promise<void> => {
    const [verb, arg] = command.split(' ', 2);
    switch (verb) {
      case 'cpu':
        reply({
          cpu: process.cpuUsage(),
          rss: process.memoryUsage.rss(),
          now: performance.now(),
          loopP99: loop.percentile(99) / 1e6,
          loopMax: loop.max / 1e6,
          gc: gc.take(),
        });
        loop.reset();
        return;
      case 'profile-start':
        profiler = new Session();
        profiler.connect();
        await post(profiler, 'Profiler.enable');
        await post(profiler, 'Profiler.start');
        reply({ profiling: true });
        return;
      case 'profile-stop': {
        if (!profiler || !arg) return reply({ error: 'not profiling' });
        const { profile } = (await post(profiler, 'Profiler.stop')) as { profile: unknown };
        profiler.disconnect();
        profiler = undefined;
        writeFileSync(arg, JSON.stringify(profile));
        reply({ profile: arg });
        return;
      }
      case 'heap-snapshot':
        if (!arg) return reply({ error: 'heap-snapshot needs a file' });
        writeHeapSnapshot(arg);
        reply({ heapSnapshot: arg, heapUsed: process.memoryUsage().heapUsed });
        return;
      case 'exit':
        return exit();
      default:
        reply({ error: `unknown command ${command}` });
    }
  };

  // Commands run one at a time so replies come back in the order asked.
  let queue = Promise.resolve();
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const command = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      queue = queue.then(() => run(command)).catch((err: unknown) => reply({ error: String(err) }));
    }
  });
  process.stdin.on('end', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
}
