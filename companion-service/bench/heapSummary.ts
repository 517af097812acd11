/* Summarises a V8 .heapsnapshot (from `npm run bench:signaling -- --heap-snapshot DIR`): what the heap holds,
 * grouped by node type and name (constructor for objects, function name for closures), largest first.
 *
 *   npx tsx companion-service/bench/heapSummary.ts [BASE.heapsnapshot] FILE.heapsnapshot [--top 40] [--per 2000]
 *
 * With two files it shows what the second holds beyond the first: snapshots of runs with different --sessions
 * give what each extra socket costs, without the code and start-up data both have. --per N divides counts and
 * bytes by N (e.g. the difference in open sockets). Self sizes only: what a group holds directly, not what it
 * keeps alive. */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Group {
  type: string;
  name: string;
  count: number;
  bytes: number;
}

/** Names that differ per instance (strings' contents, numbers) are grouped by type alone. */
const NAMED_TYPES = new Set(['object', 'closure', 'native', 'hidden', 'code', 'synthetic', 'object shape']);

export function summarise(snapshot: Snapshot): { groups: Group[]; totalBytes: number; nodeCount: number } {
  const fields = snapshot.snapshot.meta.node_fields;
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = snapshot.snapshot.meta.node_types[0];
  const groups = new Map<string, Group>();
  let totalBytes = 0;
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = typeNames[nodes[i + typeAt] as number] ?? 'unknown';
    const name = NAMED_TYPES.has(type) ? (snapshot.strings[nodes[i + nameAt] as number] ?? '').slice(0, 60) : '';
    const bytes = nodes[i + sizeAt] as number;
    totalBytes += bytes;
    const key = `${type}\u0000${name}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { type, name, count: 0, bytes: 0 }));
    group.count++;
    group.bytes += bytes;
  }
  return {
    groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes),
    totalBytes,
    nodeCount: nodes.length / stride,
  };
}

/** What `after` holds beyond `before`, group by group. */
function difference(before: Group[], after: Group[]): Group[] {
  const base = new Map(before.map((g) => [`${g.type}\u0000${g.name}`, g]));
  return after
    .map((g) => {
      const b = base.get(`${g.type}\u0000${g.name}`);
      return { ...g, count: g.count - (b?.count ?? 0), bytes: g.bytes - (b?.bytes ?? 0) };
    })
    .sort((x, y) => y.bytes - x.bytes);
}

function load(file: string): ReturnType<typeof summarise> {
  return summarise(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
}

function main(): void {
  const args = process.argv.slice(2);
  const files = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const option = (name: string, fallback: number): number => {
    const at = args.indexOf(`--${name}`);
    const value = at >= 0 ? Number(args[at + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  if (files.length < 1 || files.length > 2)
    throw new Error('usage: heapSummary.ts [BASE.heapsnapshot] FILE.heapsnapshot [--top N] [--per N]');
  const top = option('top', 40);
  const per = option('per', 1);
  const perLabel = per === 1 ? '' : ` per ${per}`;
  const after = load(files[files.length - 1]!);
  const before = files.length === 2 ? load(files[0]!) : undefined;
  const groups = before ? difference(before.groups, after.groups) : after.groups;
  const totalBytes = after.totalBytes - (before?.totalBytes ?? 0);
  const nodeCount = after.nodeCount - (before?.nodeCount ?? 0);
  const title = before ? `${files[1]} beyond ${files[0]}` : files[0];
  process.stdout.write(
    `${title}: ${(totalBytes / 1e6).toFixed(2)} MB in ${nodeCount} nodes (${(totalBytes / per / 1e3).toFixed(2)} KB${perLabel})\n`,
  );
  process.stdout.write(
    `${'bytes'.padStart(12)} ${'count'.padStart(10)}  type: name${perLabel ? `  (figures${perLabel})` : ''}\n`,
  );
  for (const g of groups.slice(0, top)) {
    const bytes = per === 1 ? String(g.bytes) : (g.bytes / per).toFixed(1);
    const count = per === 1 ? String(g.count) : (g.count / per).toFixed(2);
    process.stdout.write(`${bytes.padStart(12)} ${count.padStart(10)}  ${g.type}: ${g.name}\n`);
  }
}

main();
