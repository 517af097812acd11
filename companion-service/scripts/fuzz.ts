/* `npm run fuzz`: the service under a storm of malformed, mutated and hostile WebSocket frames, with a real call beside
 * it. The service runs as its own process (the way `npm start` runs it), so a crash is a crash. Prints the frames sent,
 * the errors the service answered by code, the sockets it closed by close code, crashes and internal errors (both must
 * be 0), and whether the call beside it lost anything (every signal relayed, both ends still in the session).
 *
 *   npm run fuzz
 *   npm run fuzz -- --frames 100000 --sockets 16 --seed 7
 *
 * Exits non-zero when the service crashed, answered an internal error, or the call lost anything. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { frameCorpus, mutate, type Random } from './fuzzFrames';
import { startServiceProcess } from './serviceProcess';

const HELP = `Usage: npm run fuzz -- [--frames N] [--sockets N] [--seed N]
  --frames N   frames to send in all (default 100000)
  --sockets N  fuzzing sockets at once (default 16)
  --seed N     random seed, to replay a run (default: the time)`;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number\n${HELP}`);
  return value;
}

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
  };
}

interface Service {
  baseUrl: string;
  wsUrl: string;
  crashed: () => string | undefined;
  stop(): Promise<void>;
}

async function startService(): Promise<Service> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-fuzz-'));
  const service = await startServiceProcess({
    TANDEM_LOG_LEVEL: 'error',
    TANDEM_SQLITE_PATH: path.join(dir, 'fuzz.db'),
    // Every socket comes from 127.0.0.1, and the frames are meant to reach validation, not the rate limits.
    TANDEM_SOCKETS_PER_ADDRESS: '10000',
    TANDEM_SESSIONS_PER_ADDRESS_PER_MINUTE: '100000',
    TANDEM_WS_MESSAGES_PER_SECOND: '100000',
    TANDEM_WS_BURST: '100000',
  });
  return {
    baseUrl: service.baseUrl,
    wsUrl: service.wsUrl,
    crashed: () =>
      service.exited() ??
      (/uncaught|unhandled|FATAL/i.test(service.log()) ? 'wrote an uncaught error to its log' : undefined),
    async stop() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A socket that collects what it is told. */
function open(
  url: string,
): Promise<{ socket: WebSocket; messages: Array<Record<string, unknown>>; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: Array<Record<string, unknown>> = [];
    const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
    socket.on('message', (data) => {
      try {
        messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      } catch {
        messages.push({ type: 'unparseable' });
      }
    });
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('error', reject);
  });
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A visitor and an agent in one session, exchanging signals while the fuzzing goes on. */
async function realCall(service: Service) {
  const signIn = await fetch(`${service.baseUrl}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"Fuzz Agent"}',
  });
  const { token } = (await signIn.json()) as { token: string };
  const visitor = await open(service.wsUrl);
  visitor.socket.send(JSON.stringify({ type: 'visitor.start' }));
  const created = await until(() => visitor.messages.find((m) => m.type === 'session.created'), 'the session');
  const agent = await open(service.wsUrl);
  agent.socket.send(JSON.stringify({ type: 'agent.join', token, code: created.code }));
  const joined = await until(() => agent.messages.find((m) => m.type === 'session.joined'), 'the agent joining');
  const visitorId = (created.self as { id: string }).id;
  const agentId = (joined.self as { id: string }).id;
  let sent = 0;
  const timer = setInterval(() => {
    if (agent.socket.readyState !== WebSocket.OPEN) return;
    sent++;
    agent.socket.send(
      JSON.stringify({
        type: 'signal',
        from: agentId,
        to: visitorId,
        gen: 1,
        data: {
          type: 'candidate',
          candidate: { candidate: `candidate:${sent} 1 udp 1 127.0.0.1 ${1000 + (sent % 60000)} typ host` },
        },
      }),
    );
  }, 20);
  return {
    token,
    code: created.code as string,
    async finish() {
      clearInterval(timer);
      const relayed = () => visitor.messages.filter((m) => m.type === 'signal').length;
      await until(() => (relayed() >= sent ? true : undefined), 'the last signals', 5000).catch(() => undefined);
      const ended = [...visitor.messages, ...agent.messages].some((m) => m.type === 'session.ended');
      const open = visitor.socket.readyState === WebSocket.OPEN && agent.socket.readyState === WebSocket.OPEN;
      visitor.socket.close();
      agent.socket.close();
      return { sent, relayed: relayed(), intact: !ended && open };
    },
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return void process.stdout.write(`${HELP}\n`);
  const frames = option('frames', 100_000);
  const sockets = Math.max(1, option('sockets', 16));
  const seed = option('seed', Date.now() % 1_000_000);
  const random = seeded(seed);
  const service = await startService();
  const errors = new Map<string, number>();
  const closes = new Map<number, number>();
  let sentFrames = 0;
  try {
    const call = await realCall(service);
    const corpus = frameCorpus({ agentToken: call.token, code: call.code });
    const worker = async () => {
      while (sentFrames < frames && !service.crashed()) {
        const client = await open(service.wsUrl).catch(() => undefined);
        if (!client) continue;
        client.socket.on('message', (data) => {
          const text = data.toString();
          const code = /"type":"error","code":"([a-z_]+)"/.exec(text)?.[1];
          if (code) errors.set(code, (errors.get(code) ?? 0) + 1);
        });
        // A socket's life: a few hundred frames, or until the service closes it.
        for (
          let i = 0;
          i < 200 + random.int(800) && sentFrames < frames && client.socket.readyState === WebSocket.OPEN;
          i++
        ) {
          const frame = mutate(random.pick(corpus), random);
          sentFrames++;
          client.socket.send(frame.data, { binary: frame.binary });
          // Let the socket drain now and then, so what is sent is what the service reads.
          if (client.socket.bufferedAmount > 1_000_000 || i % 50 === 0)
            await new Promise((resolve) => setImmediate(resolve));
        }
        if (client.socket.readyState === WebSocket.OPEN) client.socket.close(1000);
        const code = await client.closed;
        closes.set(code, (closes.get(code) ?? 0) + 1);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: sockets }, worker));
    const seconds = (Date.now() - started) / 1000;
    const result = await call.finish();
    const crash = service.crashed();
    const internal = errors.get('internal') ?? 0;
    const byCount = <K>(map: Map<K, number>) =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none';
    const lines = [
      `fuzz: seed ${seed}, ${sockets} sockets at once, ${seconds.toFixed(1)} s`,
      `frames sent: ${sentFrames}`,
      `errors by code: ${byCount(errors)}`,
      `closes by code: ${byCount(closes)} (1000 = closed by the fuzzer)`,
      `crashes: ${crash ? `1 (${crash})` : 0}`,
      `internal errors: ${internal}`,
      `the call beside it: ${result.relayed} of ${result.sent} signals relayed, session ${result.intact ? 'still live' : 'LOST'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (crash || internal > 0 || !result.intact || result.relayed < result.sent) process.exitCode = 1;
  } finally {
    await service.stop();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
