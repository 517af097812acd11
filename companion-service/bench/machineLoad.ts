import { readdirSync, readFileSync } from 'node:fs';

/** Busy CPU time of the whole machine in seconds, from /proc/stat (Linux); undefined elsewhere. Benchmarks use it to
 * tell a quiet machine from one shared with other work. */
export function machineBusySeconds(): number | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy. USER_HZ is 100 on Linux.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds used by this process and its descendants (the browser): ours, not the rest of the machine's. */
export function ownBusySeconds(): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid ... utime(14) stime(15) cutime(16) cstime(17), counted
      // from the pid as 1. Children's times count too: renderers of closed pages exit during a run.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(rest[1]));
      cpu.set(Number(name), (Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14])) / 100);
    } catch {
      /* the process ended meanwhile */
    }
  }
  let total = 0;
  for (const [pid, seconds] of cpu) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}

/** Cores the rest of the machine used while `task` ran. */
export async function othersDuring<T>(task: () => Promise<T>): Promise<{ value: T; others: number | undefined }> {
  const machine0 = machineBusySeconds();
  const own0 = machine0 === undefined ? 0 : ownBusySeconds();
  const t0 = Date.now();
  const value = await task();
  const machine1 = machineBusySeconds();
  if (machine0 === undefined || machine1 === undefined) return { value, others: undefined };
  const seconds = (Date.now() - t0) / 1000;
  return { value, others: Math.max(0, machine1 - machine0 - (ownBusySeconds() - own0)) / seconds };
}

/** Waits (up to maxSeconds) for two consecutive 1 s windows under 0.3 busy cores; returns the last window's load.
 * Other engineers' browser tests share the 2 cores, and a busy machine doubles every WebRTC step. `othersOnly`
 * leaves out this process and its browser (whose pages may be busy on purpose, e.g. a call running). */
export async function waitForQuiet(maxSeconds: number, othersOnly = false): Promise<number | undefined> {
  if (machineBusySeconds() === undefined) return undefined;
  const started = Date.now();
  let quiet = 0;
  for (;;) {
    const before = machineBusySeconds()!;
    const ownBefore = othersOnly ? ownBusySeconds() : 0;
    await new Promise((r) => setTimeout(r, 1000));
    const busy = machineBusySeconds()! - before - (othersOnly ? ownBusySeconds() - ownBefore : 0);
    quiet = busy < 0.3 ? quiet + 1 : 0;
    if (quiet >= 2 || Date.now() - started >= maxSeconds * 1000) return busy;
  }
}
