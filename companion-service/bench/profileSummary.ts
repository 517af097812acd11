/* Summarises a V8 .cpuprofile (from `npm run bench:signaling -- --servers tandem --cpu-prof DIR`):
 * top functions by self time, and inclusive time of the relay path's functions.
 *
 *   npx tsx companion-service/bench/profileSummary.ts DIR/tandem-*.cpuprofile [--top 30] [--focus name,name]
 *
 * Inclusive time counts a function once per sample even when it recurses. Percentages are of the non-idle time. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const DEFAULT_FOCUS = [
  'onFrame',
  'parseClientMessage',
  'Check',
  'handleSignal',
  'relaySignal',
  'canRelay',
  'pairGeneration',
  'publish',
  'sendRaw',
  'send',
  'stringify',
  'parse',
  'toString',
  'take',
  'emit',
  'receiverOnMessage',
  'dataMessage',
  'sendFrame',
  'frame',
  'writeOrBuffer',
  'writev',
  'writeUtf8String',
  'garbage collector',
];

function label(frame: CallFrame): string {
  const file = frame.url ? path.basename(frame.url.replace(/^file:\/\//, '')) : '';
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: profileSummary.ts FILE.cpuprofile [--top N] [--focus a,b]');
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 30;
  const focusIndex = args.indexOf('--focus');
  const focus = focusIndex >= 0 ? (args[focusIndex + 1] ?? '').split(',') : DEFAULT_FOCUS;

  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const inclusiveByName = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // the delta after a sample is the time spent in it
    const leaf = byId.get(profile.samples[i] as number);
    if (!leaf) continue;
    const leafName = leaf.callFrame.functionName;
    if (leafName === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    self.set(label(leaf.callFrame), (self.get(label(leaf.callFrame)) ?? 0) + dt);
    const seen = new Set<string>();
    const seenNames = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = (byId.get(id) as ProfileNode).callFrame;
      const key = label(frame);
      if (!seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
      }
      const name = frame.functionName || '(anonymous)';
      if (!seenNames.has(name)) {
        seenNames.add(name);
        inclusiveByName.set(name, (inclusiveByName.get(name) ?? 0) + dt);
      }
    }
  }
  const pct = (ms: number) => `${((100 * ms) / total).toFixed(1).padStart(5)}%`;
  const out: string[] = [];
  out.push(`${path.basename(file)}: ${(total / 1000).toFixed(2)} s busy, ${(idle / 1000).toFixed(2)} s idle`);
  out.push('', `top ${top} by self time:`);
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    out.push(`  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${key}`);
  }
  out.push('', 'inclusive time (by function name, all call sites):');
  for (const name of focus) {
    const ms = inclusiveByName.get(name);
    if (ms !== undefined) out.push(`  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${name}`);
  }
  out.push('', `top ${top} by inclusive time:`);
  for (const [key, ms] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    out.push(`  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${key}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
