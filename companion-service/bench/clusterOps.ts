/* What a call costs a scaled deployment's shared servers: Redis commands and PostgreSQL statements per call and per
 * signal, each instance's background load on Redis, and memory per call in Redis and in a service instance. The
 * figures behind docs/deploy.md's "Topology and sizing".
 *
 *   npx tsx companion-service/bench/clusterOps.ts                  (one call of each kind, then 1,000 idle calls)
 *   npx tsx companion-service/bench/clusterOps.ts --signals 200 --calls 2000
 *
 * Two service processes (scripts/serviceProcess.ts, as `npm start` runs them) share a redis-server of this script's
 * own (a free port, no persistence, nothing else on it: MONITOR sees only them) and a fresh schema of the local
 * PostgreSQL (TANDEM_TEST_DATABASE_URL), reached through a proxy here that reads the wire protocol and counts the
 * statements each instance sends (Parse and Query messages). Every call has its visitor on one instance and its agent
 * on the other, so everything that crosses instances is in the count.
 *
 * Scripted calls: a 1-click call (a visitor's tab online, the agent invites over HTTP and joins with the ticket, the
 * visitor accepts the terms), with `--signals` signals each way, the agent's video on and off, remote control asked
 * and allowed, then END; and a call by code (visitor.start, agent.join with the code, END). Each is run with no signals
 * and with `--signals`, so the cost of a signal is the difference, apart from the call's own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import WebSocket from 'ws';
import { startServiceProcess, type ServiceProcess } from '../scripts/serviceProcess';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const SIGNALS = Number(args.get('signals') ?? 100);
const IDLE_CALLS = Number(args.get('calls') ?? 1000);
const DATABASE_URL = process.env.TANDEM_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const log = (text: string) => process.stderr.write(`${text}\n`);

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// --- the shared servers ----------------------------------------------------------------------------------------------

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return proc;
}

/** PostgreSQL statements per kind ("INSERT INTO events", "UPDATE participants", ...), counted off the wire. */
class StatementCounter {
  readonly counts = new Map<string, number>();
  total = 0;

  take(): { total: number; kinds: Map<string, number> } {
    const taken = { total: this.total, kinds: new Map(this.counts) };
    this.counts.clear();
    this.total = 0;
    return taken;
  }

  /** The frontend's messages after the startup packet: a type byte and a length. Parse ('P') carries the statement
   * text (after its name); a simple Query ('Q') carries it directly. */
  reader(): (chunk: Buffer) => void {
    let buffer = Buffer.alloc(0);
    let started = false;
    return (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          // An SSLRequest or GSSENCRequest is answered with one byte and followed by the real startup packet.
          if (code !== 80877103 && code !== 80877104) started = true;
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        let text: string | undefined;
        if (type === 'Q') text = body.toString('utf8', 0, body.indexOf(0));
        if (type === 'P') {
          const nameEnd = body.indexOf(0);
          text = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
        }
        if (text !== undefined) this.count(text);
      }
    };
  }

  private count(text: string): void {
    const words = text.trim().replace(/\s+/g, ' ').split(' ');
    const verb = (words[0] ?? '').toUpperCase();
    const kind =
      verb === 'INSERT'
        ? `INSERT INTO ${words[2]}`
        : verb === 'UPDATE'
          ? `UPDATE ${words[1]}`
          : verb === 'DELETE'
            ? `DELETE FROM ${words[2]}`
            : verb === 'SELECT'
              ? `SELECT … FROM ${words[words.findIndex((w) => w.toUpperCase() === 'FROM') + 1] ?? '?'}`
              : verb;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.total++;
  }
}

async function startCountingProxy(counter: StatementCounter, target: URL): Promise<number> {
  const server = createServer((client: Socket) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const read = counter.reader();
    client.on('data', (chunk) => {
      read(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return (server.address() as AddressInfo).port;
}

/** Redis commands from MONITOR: those the instances send (one round trip each; a script counts once, named by the
 * commands it runs), and apart, the commands scripts run inside Redis (work, not round trips). PUBLISH and SUBSCRIBE
 * are named by their channel's kind, other commands by their key's kind. */
class CommandCounter {
  readonly counts = new Map<string, number>();
  total = 0;
  inScripts = 0;
  private readonly scripts = new Map<string, string>();

  constructor(
    monitor: Redis,
    private readonly prefix: string,
  ) {
    (monitor as unknown as NodeJS.EventEmitter).on('monitor', (_time: string, argv: string[], source: string) => {
      const name = (argv[0] ?? '').toUpperCase();
      if (name === 'MONITOR') return;
      if (source === 'lua') {
        this.inScripts++;
        return;
      }
      let kind: string;
      if (name === 'EVAL') {
        // Sent after an EVALSHA that Redis did not know (NOSCRIPT): its SHA is the body's, as MONITOR escaped it.
        const body = unescapeMonitor(argv[1] ?? '');
        const label = scriptLabel(body);
        this.scripts.set(createHash('sha1').update(body).digest('hex'), label);
        kind = `script ${label}`;
      } else if (name === 'EVALSHA') kind = `script ${this.scripts.get(argv[1] ?? '') ?? (argv[1] ?? '').slice(0, 8)}`;
      else if (name === 'PUBLISH' || name === 'SUBSCRIBE' || name === 'UNSUBSCRIBE')
        kind = `${name} ${channelKind(argv[1] ?? '', prefix)}`;
      else kind = argv[1] ? `${name} ${keyKind(argv[1], prefix)}` : name;
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      this.total++;
    });
  }

  take(): { total: number; inScripts: number; kinds: Map<string, number> } {
    const taken = { total: this.total, inScripts: this.inScripts, kinds: new Map(this.counts) };
    this.counts.clear();
    this.total = 0;
    this.inScripts = 0;
    return taken;
  }
}

/** MONITOR writes arguments as Redis quotes them (sdscatrepr); ioredis undoes the quotes' escapes only. */
function unescapeMonitor(text: string): string {
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '\\': '\\', '"': '"' };
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, c: string) =>
    c.length === 3 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (simple[c] ?? c),
  );
}

/** A script's name: the commands it runs, in order of first use (ioredis sends its body once, with EVAL). */
function scriptLabel(body: string): string {
  const used: string[] = [];
  for (const m of body.matchAll(/redis\.call\('([A-Z]+)'/g))
    if (!used.includes(m[1]!) && m[1] !== 'TIME') used.push(m[1]!);
  return `[${used.join(' ')}]`;
}

/** A key's kind: its first part after the prefix (`tandem:session:<id>` → `session`); an instance's keys keep their
 * last part (`instance:<id>:participants`), counters their second (`wrong-keys:agent:<id>`). */
function keyKind(key: string, prefix: string): string {
  if (!key.startsWith(prefix)) return '(other)';
  const parts = key.slice(prefix.length).split(':');
  if (parts[0] === 'instance') return `instance:*:${parts.at(-1)}`;
  if (parts[0] === 'wrong-keys' || parts[0] === 'rate') return `${parts[0]}:${parts[1]}`;
  return parts[0]!;
}

function channelKind(channel: string, prefix: string): string {
  const name = channel.startsWith(`${prefix}bus:`) ? channel.slice(prefix.length + 4) : channel;
  return `bus:${name.split(':')[0]}`;
}

// --- clients -----------------------------------------------------------------------------------------------------------

class Member {
  readonly received: Array<Record<string, unknown>> = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string): Promise<Member> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const member = new Member(ws);
      ws.once('open', () => resolve(member));
      ws.once('error', reject);
    });
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  async next(type: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex((m) => m.type === type);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no ${type}; got ${JSON.stringify(this.received).slice(0, 300)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Resolves when the server has handled everything sent before (a probe's answer). */
  async settled(): Promise<void> {
    const id = `p${randomBytes(4).toString('hex')}`;
    this.send({ type: 'probe', id });
    for (;;) {
      const answer = await this.next('probe');
      if (answer.replyTo === id) return;
    }
  }

  close(): void {
    this.ws.close();
  }
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function signal(from: string, to: string, n: number): Record<string, unknown> {
  return {
    type: 'signal',
    from,
    to,
    gen: 1,
    data: {
      type: 'candidate',
      candidate: {
        candidate: `candidate:${n} 1 udp 2122260223 10.0.0.${n % 250} ${5000 + n} typ host`,
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
    },
  };
}

async function exchangeSignals(
  visitor: Member,
  visitorId: string,
  agent: Member,
  agentId: string,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    visitor.send(signal(visitorId, agentId, i));
    agent.send(signal(agentId, visitorId, i));
  }
  const deadline = Date.now() + 20_000;
  const got = (m: Member) => m.received.filter((r) => r.type === 'signal').length;
  while ((got(visitor) < count || got(agent) < count) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  if (got(visitor) < count || got(agent) < count)
    throw new Error(`signals lost: ${got(visitor)} and ${got(agent)} of ${count}`);
  for (const m of [visitor, agent])
    m.received.splice(0, m.received.length, ...m.received.filter((r) => r.type !== 'signal'));
}

async function oneClickCall(a: ServiceProcess, b: ServiceProcess, token: string, signals: number): Promise<void> {
  const customerId = `003OPS${randomBytes(5).toString('hex')}`;
  const minted = await json<{ token: string }>(
    await fetch(`${a.baseUrl}/api/visitor-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tandem-site-key': 'demo-site-api-key-for-local-use-only' },
      body: JSON.stringify({ visitorId: customerId }),
    }),
  );
  const tab = await Member.open(a.wsUrl);
  tab.send({ type: 'visitor.hello', visitorToken: minted.token });
  await tab.next('presence.registered');
  const { ticket } = await json<{ ticket: string }>(
    await fetch(`${b.baseUrl}/api/agent/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ visitorId: customerId }),
    }),
  );
  const agent = await Member.open(b.wsUrl);
  agent.send({ type: 'agent.join', ticket });
  const joined = await agent.next('session.joined');
  const prompt = await tab.next('terms.prompt');
  tab.send({
    type: 'terms.accept',
    invitationId: prompt.invitationId,
    termsHash: createHash('sha256').update(String(prompt.termsText)).digest('hex'),
  });
  const accepted = await tab.next('session.joined');
  await agent.next('peer.joined');
  const visitorId = (accepted.self as { id: string }).id;
  const agentId = (joined.self as { id: string }).id;
  await exchangeSignals(tab, visitorId, agent, agentId, signals);
  agent.send({ type: 'media.set', video: true });
  await tab.next('peer.media');
  agent.send({ type: 'media.set', video: false });
  await tab.next('peer.media');
  agent.send({ type: 'control.request' });
  await tab.next('control.state');
  tab.send({ type: 'control.answer', granted: true });
  while ((await agent.next('control.state')).state !== 'on');
  agent.send({ type: 'session.end' });
  await Promise.all([tab.next('session.ended'), agent.next('session.ended')]);
  tab.close();
  agent.close();
}

async function codeCall(
  a: ServiceProcess,
  b: ServiceProcess,
  token: string,
  signals: number,
  end = true,
): Promise<Member[]> {
  const visitor = await Member.open(a.wsUrl);
  visitor.send({ type: 'visitor.start' });
  const created = await visitor.next('session.created');
  const agent = await Member.open(b.wsUrl);
  agent.send({ type: 'agent.join', token, code: created.code });
  const joined = await agent.next('session.joined');
  await visitor.next('peer.joined');
  await exchangeSignals(
    visitor,
    (created.self as { id: string }).id,
    agent,
    (joined.self as { id: string }).id,
    signals,
  );
  if (!end) return [visitor, agent];
  agent.send({ type: 'session.end' });
  await Promise.all([visitor.next('session.ended'), agent.next('session.ended')]);
  visitor.close();
  agent.close();
  return [];
}

// --- measuring ---------------------------------------------------------------------------------------------------------

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

function table(
  title: string,
  counts: { total: number; inScripts?: number; kinds: Map<string, number> },
  per = 1,
): string {
  const n = (v: number) => (v / per).toFixed(per === 1 ? 0 : 2);
  const rows = [...counts.kinds.entries()]
    .sort((x, y) => y[1] - x[1])
    .map(([kind, v]) => `  ${kind.padEnd(60)} ${n(v).padStart(8)}`);
  const scripts = counts.inScripts === undefined ? '' : ` (and ${n(counts.inScripts)} run inside scripts)`;
  return [`${title}: ${n(counts.total)}${scripts}`, ...rows].join('\n');
}

async function main(): Promise<void> {
  const redisPort = await freePort();
  const redisProc = await startRedis(redisPort);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const statements = new StatementCounter();
  const pgProxy = await startCountingProxy(statements, new URL(DATABASE_URL));
  const schema = `tandem_test_${randomBytes(6).toString('hex')}`;
  const prefix = 'tandem:';
  const pgUrl = new URL(DATABASE_URL);
  pgUrl.hostname = '127.0.0.1';
  pgUrl.port = String(pgProxy);
  const env = {
    TANDEM_REDIS_URL: redisUrl,
    TANDEM_REDIS_KEY_PREFIX: prefix,
    TANDEM_DATABASE_URL: pgUrl.toString(),
    TANDEM_DATABASE_SCHEMA: schema,
    TANDEM_SOCKETS_PER_ADDRESS: '100000',
    TANDEM_SESSIONS_PER_ADDRESS_PER_MINUTE: '100000',
    TANDEM_JOIN_ATTEMPTS_PER_IP: '10000',
    TANDEM_LOG_LEVEL: 'error',
  };
  const services: ServiceProcess[] = [];
  const redis = new Redis(redisUrl);
  let monitor: Redis | undefined;
  try {
    services.push(await startServiceProcess(env));
    services.push(await startServiceProcess(env));
    const [a, b] = services as [ServiceProcess, ServiceProcess];
    const token = (
      await json<{ token: string }>(
        await fetch(`${a.baseUrl}/api/dev/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"Ops Agent"}',
        }),
      )
    ).token;
    // MONITOR runs on a connection of its own, which ioredis makes and returns.
    monitor = await redis.monitor();
    const commands = new CommandCounter(monitor, prefix);
    // Warm both instances up (connections opened), with Redis's script cache emptied first: ioredis then sends each
    // script's body once (EVAL), which names it here; then start counting.
    await redis.script('FLUSH');
    await codeCall(a, b, token, 2);
    await oneClickCall(a, b, token, 2);
    await delay(3000);
    await delay(500);
    commands.take();
    statements.take();

    const idleSeconds = 10;
    await delay(idleSeconds * 1000);
    const idle = commands.take();
    statements.take();
    process.stdout.write(`${table(`Redis commands per second, 2 idle instances`, idle, idleSeconds)}\n\n`);

    const results: string[] = [];
    for (const [name, run] of [
      ['1-click call', (n: number) => oneClickCall(a, b, token, n)],
      ['call by code', (n: number) => codeCall(a, b, token, n)],
    ] as const) {
      const costs: Array<{
        redis: ReturnType<CommandCounter['take']>;
        pg: ReturnType<StatementCounter['take']>;
        seconds: number;
      }> = [];
      for (const n of [0, SIGNALS]) {
        commands.take();
        statements.take();
        const started = Date.now();
        await run(n);
        // The idle background (heartbeats) that fell in the call's time is taken out below, by rate.
        const seconds = (Date.now() - started) / 1000;
        await delay(300);
        costs.push({ redis: commands.take(), pg: statements.take(), seconds: seconds + 0.3 });
      }
      const [none, many] = costs as [(typeof costs)[0], (typeof costs)[0]];
      results.push(
        table(
          `${name}: Redis commands sent for the whole call, no signals (${none.seconds.toFixed(1)} s; the idle background above is ${((idle.total / idleSeconds) * none.seconds).toFixed(0)} of them)`,
          none.redis,
        ),
      );
      results.push(table(`${name}: PostgreSQL statements for the whole call`, none.pg));
      // The idle background differs with the runs' lengths: taken out by its rate.
      const background = (idle.total / idleSeconds) * (many.seconds - none.seconds);
      results.push(
        `${name}: per signal (difference with ${SIGNALS} each way, ${2 * SIGNALS} signals): Redis ${((many.redis.total - none.redis.total - background) / (2 * SIGNALS)).toFixed(2)} commands, PostgreSQL ${((many.pg.total - none.pg.total) / (2 * SIGNALS)).toFixed(2)} statements`,
      );
    }
    process.stdout.write(`${results.join('\n\n')}\n\n`);

    // Memory: idle calls held open (a visitor on A, its agent on B).
    monitor.disconnect();
    await delay(1000);
    const before = { redis: await usedMemory(redis), a: rssMb(a.child.pid!), b: rssMb(b.child.pid!) };
    const open: Member[] = [];
    for (let i = 0; i < IDLE_CALLS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, IDLE_CALLS - i) }, () => codeCall(a, b, token, 0, false)),
      );
      open.push(...batch.flat());
    }
    await delay(2000);
    const after = { redis: await usedMemory(redis), a: rssMb(a.child.pid!), b: rssMb(b.child.pid!) };
    process.stdout.write(
      [
        `${IDLE_CALLS} idle calls (visitor on A, agent on B): ${IDLE_CALLS} sockets on each instance`,
        `  Redis used_memory: +${((after.redis - before.redis) / 1e6).toFixed(1)} MB, ${((after.redis - before.redis) / IDLE_CALLS).toFixed(0)} bytes per call`,
        `  instance RSS: A +${(after.a - before.a).toFixed(1)} MB, B +${(after.b - before.b).toFixed(1)} MB: ${(((after.a - before.a + after.b - before.b) * 1024) / (2 * IDLE_CALLS)).toFixed(1)} KB per socket`,
        `  instance RSS now: A ${after.a.toFixed(0)} MB, B ${after.b.toFixed(0)} MB`,
      ].join('\n') + '\n',
    );
    for (const m of open) m.close();
  } finally {
    monitor?.disconnect();
    redis.disconnect();
    for (const s of services) await s.kill();
    redisProc.kill('SIGKILL');
    const client = new Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
