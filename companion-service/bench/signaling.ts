/* Signaling relay benchmark: Tandem's /ws relay against a bare `ws` forwarder, same traffic, same machine.
 *
 *   npm run bench:signaling -- --sessions 1000             (closed loop, 10 s measured per server)
 *   npm run bench:signaling -- --sessions 5000 --rate 20000 (open loop: fixed 20,000 msg/s offered)
 *   npm run bench:signaling -- --instances 2 --sessions 500 --rate 5000   (also: one instance with Redis, and two
 *                                                            instances with each pair's members on different ones)
 *
 * Each server runs in its own child process (tandemServer.ts, bareRelay.ts); this process is the load generator,
 * so servers and clients don't share a CPU thread. For N sessions it opens N agent + N visitor sockets to
 * 127.0.0.1 only, pairs them (Tandem: visitor.start, dev sign-in, agent.join; bare: {"pair":id}), then both sides of
 * every pair send signal frames (1 SDP in every --sdp-every, the rest ICE candidates; see messages.ts) and the
 * partner's socket measures one-way latency from the stamp inside the frame. Flags: see USAGE below. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { fakeCandidate, fakeSdp, readStamp, signalTemplate, stamped, type Template } from './messages';
import { GcPauses, type GcPauseSummary } from './gcPauses';
import { machineBusySeconds } from './machineLoad';
import { killChild, killChildren, ServerChild, trackChild } from './serverChild';
import { serviceNodeFlags } from './serviceNodeFlags';
import { median } from './stats';

const USAGE = `usage: npm run bench:signaling -- [options]
  --sessions N        agent+visitor pairs, 2N sockets per server (default 1000)
  --seconds S         measured duration per server (default 10)
  --warmup S          traffic before measuring starts, not counted (default 2)
  --rate R            offered messages/s across all sockets; 0 = closed loop (default 0)
  --inflight K        closed loop: messages each socket keeps in flight (default 1)
  --sdp-every M       one SDP (offer/answer) in every M messages, the rest ICE candidates (default 8)
  --concurrency C     sockets being opened at once during setup (default 200)
  --servers LIST      which to run, in order, from: bare, tandem (one instance, in-memory bus: npm start's
                      default), tandem-redis (one instance sharing its state through Redis: the path of two
                      members on the same instance of a cluster), cluster (--instances N instances sharing one
                      Redis, each pair's visitor and agent on different instances: every signal crosses Redis).
                      Default: bare,tandem; with --instances 2 or more: bare,tandem,tandem-redis,cluster
  --instances N       instances in the cluster run (default 1: no cluster run); the runs with Redis start a
                      redis-server of their own (on a free port, no persistence), whose CPU time is read from
                      /proc/<pid>/stat
  --bare-mode M       verbatim (default): the bare relay forwards bytes unchanged; json: it parses and
                      re-serialises every message like Tandem does (calibration, see bareRelay.ts)
  --ping-interval S   Tandem's socket.pingIntervalSeconds (default 15, the service default): its liveness sweep
                      visits every socket once per interval, in slices of about 100 ms, and pings those it has not
                      heard from for half an interval (so none while the traffic runs)
  --rounds N          run every server N times, alternating the order; the summary uses medians (default 1)
  --wait-quiet S      before each run, wait up to S s for other processes to use < 0.15 cores for 3 s in a
                      row (Linux; for shared machines, default 0 = don't wait)
  --profile DIR       CPU-profile each server during the measured window only; writes
                      DIR/<server>-<sessions>-r<round>.cpuprofile (summarise with bench/profileSummary.ts)
  --heap-snapshot DIR write a heap snapshot of each server once its sockets are set up, before any traffic:
                      DIR/<server>-<sessions>-r<round>.heapsnapshot (summarise with bench/heapSummary.ts)
  --timeout S         hard limit for the whole run (default: computed from the above)
The Tandem child runs with the node flags of \`npm start\` (package.json), the bare relay with none.
environment: BENCH_SERVER_NODE_FLAGS="--trace-gc ..." adds node flags to the server children (their non-JSON
  output is shown on stderr prefixed with [bare] or [tandem])`;

type ServerKind = 'bare' | 'tandem' | 'tandem-redis' | 'cluster';
const SERVER_KINDS: readonly ServerKind[] = ['bare', 'tandem', 'tandem-redis', 'cluster'];
const usesRedis = (kind: ServerKind) => kind === 'tandem-redis' || kind === 'cluster';

interface Options {
  sessions: number;
  seconds: number;
  warmup: number;
  rate: number;
  inflight: number;
  sdpEvery: number;
  concurrency: number;
  servers: ServerKind[];
  instances: number;
  bareMode: 'verbatim' | 'json';
  pingInterval: number;
  rounds: number;
  waitQuiet: number;
  profileDir: string | undefined;
  heapSnapshotDir: string | undefined;
  timeout: number;
}

function parseArgs(argv: string[]): Options {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
    const eq = arg.indexOf('=');
    if (eq > 0) raw.set(arg.slice(2, eq), arg.slice(eq + 1));
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      raw.set(arg.slice(2), value);
    }
  }
  const known = [
    'sessions',
    'seconds',
    'warmup',
    'rate',
    'inflight',
    'sdp-every',
    'concurrency',
    'servers',
    'instances',
    'bare-mode',
    'ping-interval',
    'rounds',
    'wait-quiet',
    'profile',
    'heap-snapshot',
    'timeout',
  ];
  for (const key of raw.keys()) if (!known.includes(key)) throw new Error(`unknown option --${key}\n${USAGE}`);
  const num = (key: string, fallback: number, min: number, max: number): number => {
    const value = raw.get(key);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${key} must be a number from ${min} to ${max}`);
    return n;
  };
  const sessions = Math.floor(num('sessions', 1000, 1, 9000));
  const seconds = num('seconds', 10, 1, 600);
  const warmup = num('warmup', 2, 0, 60);
  const instances = Math.floor(num('instances', 1, 1, 16));
  const servers = (raw.get('servers') ?? (instances > 1 ? 'bare,tandem,tandem-redis,cluster' : 'bare,tandem'))
    .split(',')
    .map((s) => s.trim());
  for (const s of servers)
    if (!(SERVER_KINDS as readonly string[]).includes(s)) throw new Error(`--servers: unknown server "${s}"`);
  if (servers.includes('cluster') && instances < 2) throw new Error('--servers cluster needs --instances 2 or more');
  const profile = raw.get('profile');
  const heapSnapshot = raw.get('heap-snapshot');
  const rounds = Math.floor(num('rounds', 1, 1, 20));
  const waitQuiet = num('wait-quiet', 0, 0, 3600);
  const bareMode = raw.get('bare-mode') ?? 'verbatim';
  if (bareMode !== 'verbatim' && bareMode !== 'json') throw new Error('--bare-mode must be verbatim or json');
  // Setup takes a few ms per session under load; allow generously for it, plus the traffic phases and shutdown.
  const perServer = 30 + sessions * 0.02 * Math.max(1, instances / 2) + warmup + seconds + 10 + waitQuiet;
  return {
    sessions,
    seconds,
    warmup,
    rate: num('rate', 0, 0, 10_000_000),
    inflight: Math.floor(num('inflight', 1, 1, 1000)),
    sdpEvery: Math.floor(num('sdp-every', 8, 1, 1_000_000)),
    concurrency: Math.floor(num('concurrency', 200, 2, 5000)),
    servers: servers as ServerKind[],
    instances,
    bareMode,
    pingInterval: Math.floor(num('ping-interval', 15, 1, 3600)),
    rounds,
    waitQuiet,
    profileDir: profile === undefined ? undefined : path.resolve(profile),
    heapSnapshotDir: heapSnapshot === undefined ? undefined : path.resolve(heapSnapshot),
    timeout: num('timeout', Math.ceil(30 + perServer * servers.length * rounds), 10, 24 * 3600),
  };
}

// --- child processes -------------------------------------------------------------------------------------------

interface CpuSample {
  cpu: { user: number; system: number };
  now: number;
  rss: number;
  loopP99: number;
  loopMax: number;
  gc: GcPauseSummary;
}

/** The children run as compiled JavaScript, as `npm start` runs the service: tsc's output, not a loader's on-the-fly
 * transform (tsx compiles each import into a getter on the module object, a call on every cross-module call of the
 * relay's hot path). `npm run bench:signaling` builds them first (`build:bench`). */
function childEntry(kind: ServerKind): string {
  const entry = path.join(__dirname, '../build/bench', kind === 'bare' ? 'bareRelay.js' : 'tandemServer.js');
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run "npm run build:bench" (npm run bench:signaling does)`);
  return entry;
}

/** Starts a server child of this kind: Tandem with the flags of `npm start`, the bare relay as plain node (as anyone
 * would run it), both with BENCH_SERVER_NODE_FLAGS. */
function startServer(kind: ServerKind, args: string[] = []): Promise<{ child: ServerChild; port: number }> {
  const extra = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const deployed = kind === 'bare' ? [] : serviceNodeFlags();
  return ServerChild.start(kind, childEntry(kind), [...deployed, ...extra], args);
}

/** The child's CPU time and its own clock, so a busy child answering late doesn't skew the figure. */
async function cpuOf(child: ServerChild): Promise<CpuSample> {
  return (await child.command('cpu')) as unknown as CpuSample;
}

/** Waits until the rest of the machine is idle (see --wait-quiet). */
async function waitForQuiet(maxSeconds: number): Promise<void> {
  if (maxSeconds <= 0 || machineBusySeconds() === undefined) return;
  const started = performance.now();
  let quietSeconds = 0;
  let busy = 0;
  while (performance.now() - started < maxSeconds * 1000) {
    const before = machineBusySeconds() ?? 0;
    const own = process.cpuUsage();
    await delay(1_000);
    const ownUsage = process.cpuUsage(own);
    busy = (machineBusySeconds() ?? 0) - before - (ownUsage.user + ownUsage.system) / 1e6;
    quietSeconds = busy < 0.15 ? quietSeconds + 1 : 0;
    if (quietSeconds >= 3) {
      if (performance.now() - started > 4_000)
        log(`waited ${((performance.now() - started) / 1000).toFixed(0)} s for a quiet machine`);
      return;
    }
  }
  log(`machine still busy after ${maxSeconds} s (other processes ~${busy.toFixed(2)} cores); measuring anyway`);
}

/** A redis-server of the run's own: a free port, no persistence, nothing else using it; its CPU time is read from
 * /proc/<pid>/stat (Linux: utime + stime, in clock ticks of 1/100 s). */
class RedisServer {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<RedisServer> {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const proc = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackChild(proc);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready after 10 s: ${output}`)), 10_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
    return new RedisServer(proc, port);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** CPU seconds redis-server has used so far (NaN where /proc is not there). */
  cpuSeconds(): number {
    try {
      // The command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one.
      const stat = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return NaN;
    }
  }

  stop(): Promise<void> {
    return killChild(this.proc);
  }
}

// --- one measured run ------------------------------------------------------------------------------------------

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Latencies in ms, kept in a growable typed array (a few million at most). */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

type Phase = 'setup' | 'warmup' | 'measure' | 'drain';

/** Everything one run counts. Only `measure` traffic goes into the throughput and latency figures. */
class Run {
  phase: Phase = 'setup';
  sending = false;
  readonly latencies = new Samples();
  deliveredInWindow = 0;
  bytesInWindow = 0;
  sentInWindow = 0;
  sentTotal = 0;
  deliveredTotal = 0;
  /** Open loop only: sends skipped because the client's socket buffer was over the limit. */
  skipped = 0;
  socketErrors = 0;
  socketErrorSamples: string[] = [];
  unexpectedCloses = 0;
  serverErrors = 0;
  serverErrorSamples: string[] = [];
  otherMessages = 0;
  /** WebSocket pings from the server that arrived during the measured window (Tandem's liveness sweep). */
  pingsInWindow = 0;
  otherMessageSamples: string[] = [];
  setupFailures = 0;
  setupFailureSamples: string[] = [];

  constructor(readonly closedLoop: boolean) {}

  delivered(receiver: Client, frame: Buffer, stampMicros: number): void {
    this.deliveredTotal++;
    if (this.phase === 'measure') {
      this.deliveredInWindow++;
      this.bytesInWindow += frame.length;
      this.latencies.push(performance.now() - stampMicros / 1000);
    }
    if (this.closedLoop && this.sending) receiver.partner?.sendNext();
  }

  note(list: string[], text: string): void {
    if (list.length < 5 && !list.includes(text)) list.push(text);
  }
}

interface Waiter {
  match: (m: Record<string, unknown>) => boolean;
  resolve: (m: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class Client {
  partner: Client | undefined;
  /** The id the frames are addressed to (the partner's participant id; a random one for the bare relay). */
  private sdp: Template | undefined;
  private candidate: Template | undefined;
  private seq = 0;
  private inbox: Array<Record<string, unknown>> = [];
  private waiters: Waiter[] = [];
  closing = false;

  private constructor(
    readonly ws: WebSocket,
    private readonly run: Run,
  ) {
    ws.on('message', (data) => this.onFrame(data as Buffer));
    ws.on('ping', () => {
      if (run.phase === 'measure') run.pingsInWindow++;
    });
    ws.on('error', (err) => {
      run.socketErrors++;
      run.note(run.socketErrorSamples, err.message);
      this.failWaiters(err);
    });
    ws.on('close', (code, reason) => {
      if (!this.closing) {
        run.unexpectedCloses++;
        run.note(run.socketErrorSamples, `closed by server: ${code} ${reason.toString()}`);
      }
      this.failWaiters(new Error(`socket closed: ${code} ${reason.toString()}`));
    });
  }

  /** All sockets come from 127.0.0.1: the WebSocket upgrade is outside the HTTP rate limit (docs/benchmarks.md). */
  static connect(url: string, run: Run): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 15_000 });
      const client = new Client(ws, run);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Fixes the frames this socket sends, from `from` to `to`: the same bytes whichever server is measured. */
  address(from: string, to: string, role: 'agent' | 'visitor', index: number): void {
    this.sdp = signalTemplate(from, to, {
      type: role === 'agent' ? 'offer' : 'answer',
      sdp: fakeSdp(role === 'agent' ? 'offer' : 'answer'),
    });
    this.candidate = signalTemplate(from, to, { type: 'candidate', candidate: fakeCandidate(index) });
    this.inbox = [];
  }

  sendNext(): void {
    if (this.ws.readyState !== WebSocket.OPEN || !this.sdp || !this.candidate) return;
    const template = this.seq++ % sdpEvery === 0 ? this.sdp : this.candidate;
    this.ws.send(stamped(template, performance.now() * 1000), { binary: false });
    this.run.sentTotal++;
    if (this.run.phase === 'measure') this.run.sentInWindow++;
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  sendJson(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  waitFor(
    match: (m: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<Record<string, unknown>> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.closing = true;
    this.ws.terminate();
  }

  private onFrame(frame: Buffer): void {
    const stamp = readStamp(frame);
    if (stamp >= 0) return this.run.delivered(this, frame, stamp);
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(frame.toString()) as Record<string, unknown>;
    } catch {
      this.unexpected('a frame that is not JSON');
      return;
    }
    if (message.type === 'error') {
      this.run.serverErrors++;
      this.run.note(
        this.run.serverErrorSamples,
        `${String(message.code)}: ${String(message.message)} (in reply to ${String(message.inReplyTo)})`,
      );
      this.failWaiters(new Error(`server error ${String(message.code)}: ${String(message.message)}`));
      return;
    }
    const waiter = this.waiters.find((w) => w.match(message));
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
      return;
    }
    // Late join messages (Tandem sends the agent `session.info` after `session.joined`) are fine before measuring.
    if (this.run.phase === 'setup' || this.run.phase === 'warmup') this.inbox.push(message);
    else this.unexpected(`"${String(message.type)}" while measuring`);
  }

  private unexpected(what: string): void {
    this.run.otherMessages++;
    this.run.note(this.run.otherMessageSamples, what);
  }

  private failWaiters(err: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}

let sdpEvery = 8;

async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

type Pair = [agent: Client, visitor: Client];

/** Visitors and agents on `ports` (the instances of the run): one instance, or with several each pair's visitor on one
 * instance and its agent on the next, so that every signal between them crosses Redis. */
async function setupTandem(ports: number[], opts: Options, run: Run, clients: Client[]): Promise<Pair[]> {
  const base = `http://127.0.0.1:${ports[0]}`;
  const response = await fetch(`${base}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Agent' }),
  });
  if (!response.ok) throw new Error(`dev sign-in failed: HTTP ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  const url = (instance: number) => `ws://127.0.0.1:${ports[instance % ports.length]}/ws`;
  const pairs: Pair[] = [];
  await pool(opts.sessions, Math.max(1, Math.floor(opts.concurrency / 2)), async (i) => {
    let visitor: Client | undefined;
    let agent: Client | undefined;
    try {
      visitor = await Client.connect(url(i), run);
      clients.push(visitor);
      visitor.sendJson({ type: 'visitor.start' });
      const created = await visitor.waitFor((m) => m.type === 'session.created', 'session.created');
      agent = await Client.connect(url(i + 1), run);
      clients.push(agent);
      const peerJoined = visitor.waitFor((m) => m.type === 'peer.joined', 'peer.joined');
      // Awaited below, unless the join fails first: then its rejection (the socket closed) is not an unhandled one.
      peerJoined.catch(() => undefined);
      agent.sendJson({ type: 'agent.join', token, code: created.code });
      const joined = (await agent.waitFor((m) => m.type === 'session.joined', 'session.joined')) as {
        self: { id: string };
        peers: Array<{ peer: { id: string }; gen: number }>;
      };
      const link = (await peerJoined) as { link: { peer: { id: string }; gen: number } };
      const visitorId = (created.self as { id: string }).id;
      const toVisitor = joined.peers[0];
      if (
        !toVisitor ||
        toVisitor.peer.id !== visitorId ||
        toVisitor.gen !== 1 ||
        link.link.peer.id !== joined.self.id ||
        link.link.gen !== 1
      ) {
        throw new Error(`unexpected session membership: ${JSON.stringify({ joined, link })}`);
      }
      agent.address(joined.self.id, visitorId, 'agent', 2 * i);
      visitor.address(visitorId, joined.self.id, 'visitor', 2 * i + 1);
      agent.partner = visitor;
      visitor.partner = agent;
      pairs.push([agent, visitor]);
    } catch (err) {
      run.setupFailures++;
      run.note(run.setupFailureSamples, (err as Error).message);
      visitor?.close();
      agent?.close();
    }
  });
  return pairs;
}

async function setupBare(port: number, opts: Options, run: Run, clients: Client[]): Promise<Pair[]> {
  const url = `ws://127.0.0.1:${port}/`;
  const pairs: Pair[] = [];
  const isPaired = (m: Record<string, unknown>) => m.paired === true;
  await pool(opts.sessions, Math.max(1, Math.floor(opts.concurrency / 2)), async (i) => {
    let visitor: Client | undefined;
    let agent: Client | undefined;
    try {
      visitor = await Client.connect(url, run);
      clients.push(visitor);
      visitor.sendJson({ pair: `s${i}` });
      agent = await Client.connect(url, run);
      clients.push(agent);
      agent.sendJson({ pair: `s${i}` });
      await Promise.all([visitor.waitFor(isPaired, 'paired'), agent.waitFor(isPaired, 'paired')]);
      // Ids of the same shape and length as Tandem's participant ids, so the frames are the same size.
      const agentId = randomBytes(16).toString('hex');
      const visitorId = randomBytes(16).toString('hex');
      agent.address(agentId, visitorId, 'agent', 2 * i);
      visitor.address(visitorId, agentId, 'visitor', 2 * i + 1);
      agent.partner = visitor;
      visitor.partner = agent;
      pairs.push([agent, visitor]);
    } catch (err) {
      run.setupFailures++;
      run.note(run.setupFailureSamples, (err as Error).message);
      visitor?.close();
      agent?.close();
    }
  });
  return pairs;
}

interface Result {
  kind: ServerKind;
  round: number;
  sockets: number;
  sessions: number;
  setupSeconds: number;
  seconds: number;
  offered: number;
  sent: number;
  delivered: number;
  throughput: number;
  mbPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  lost: number;
  skipped: number;
  serverCpu: number;
  /** Server CPU time per delivered message: insensitive to how much CPU the machine happened to give the server. */
  serverMicrosPerMessage: number;
  /** The kernel's share of it (socket reads and writes, wake-ups of the other process). */
  serverSystemMicrosPerMessage: number;
  clientCpu: number;
  /** CPU used by everything else on the machine during the window (cores): anything above ~0.1 distorts results. */
  otherCpu: number;
  serverRssMb: number;
  serverLoopP99: number;
  serverLoopMax: number;
  clientLoopP99: number;
  clientLoopMax: number;
  serverGc: GcPauseSummary;
  clientGc: GcPauseSummary;
  /** Service processes measured (their CPU, RSS and GC pauses are summed; timer lag is the worst of them). */
  instances: number;
  /** redis-server's CPU (cores) and CPU time per delivered message; NaN for runs without Redis. */
  redisCpu: number;
  redisMicrosPerMessage: number;
  run: Run;
}

/** Several children's samples as one: CPU, RSS and GC pauses added up, the worst timer lag, the first one's clock. */
function combine(samples: CpuSample[]): CpuSample {
  const first = samples[0]!;
  return {
    cpu: { user: samples.reduce((t, s) => t + s.cpu.user, 0), system: samples.reduce((t, s) => t + s.cpu.system, 0) },
    now: first.now,
    rss: samples.reduce((t, s) => t + s.rss, 0),
    loopP99: Math.max(...samples.map((s) => s.loopP99)),
    loopMax: Math.max(...samples.map((s) => s.loopMax)),
    gc: {
      totalMs: samples.reduce((t, s) => t + s.gc.totalMs, 0),
      maxMs: Math.max(...samples.map((s) => s.gc.maxMs)),
      count: samples.reduce((t, s) => t + s.gc.count, 0),
    },
  };
}

const SEND_BUFFER_LIMIT = 1 << 20;

async function measure(kind: ServerKind, round: number, opts: Options): Promise<Result> {
  const run = new Run(opts.rate === 0);
  await waitForQuiet(opts.waitQuiet);
  const redis = usesRedis(kind) ? await RedisServer.start() : undefined;
  const args =
    kind === 'bare'
      ? ['--mode', opts.bareMode]
      : ['--ping-interval', String(opts.pingInterval), ...(redis ? ['--redis-url', redis.url] : [])];
  const started: Array<{ child: ServerChild; port: number }> = [];
  const clients: Client[] = [];
  try {
    for (let i = 0; i < (kind === 'cluster' ? opts.instances : 1); i++) started.push(await startServer(kind, args));
  } catch (err) {
    for (const { child } of started) await child.stop();
    await redis?.stop();
    throw err;
  }
  const servers = started.map((s) => s.child);
  const cpu = async () => combine(await Promise.all(servers.map(cpuOf)));
  try {
    const setupStart = performance.now();
    const ports = started.map((s) => s.port);
    const pairs =
      kind === 'bare' ? await setupBare(ports[0]!, opts, run, clients) : await setupTandem(ports, opts, run, clients);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    if (pairs.length === 0)
      throw new Error(`${kind}: no session could be set up: ${run.setupFailureSamples.join('; ')}`);
    const senders = pairs.flat();
    log(
      `${kind}: ${senders.length} sockets in ${pairs.length} pairs ready in ${setupSeconds.toFixed(1)} s; ${opts.warmup} s warm-up, ${opts.seconds} s measured`,
    );
    if (opts.heapSnapshotDir) {
      for (const [i, child] of servers.entries()) {
        const file = path.join(
          opts.heapSnapshotDir,
          `${kind}${servers.length > 1 ? i + 1 : ''}-${opts.sessions}-r${round}.heapsnapshot`,
        );
        const written = await child.command(`heap-snapshot ${file}`);
        log(
          `${kind}: heap snapshot written to ${file} (${(Number(written.heapUsed) / 1e6).toFixed(1)} MB used after collecting)`,
        );
      }
    }

    run.phase = 'warmup';
    run.sending = true;
    let ticker: NodeJS.Timeout | undefined;
    if (run.closedLoop) {
      for (let k = 0; k < opts.inflight; k++) for (const c of senders) c.sendNext();
    } else {
      // Open loop: a fixed schedule, round-robin over all sockets, independent of what arrives.
      const started = performance.now();
      let due = 0;
      let next = 0;
      ticker = setInterval(() => {
        const target = Math.floor(((performance.now() - started) / 1000) * opts.rate);
        for (; due < target; due++) {
          const c = senders[next++ % senders.length] as Client;
          if (c.buffered > SEND_BUFFER_LIMIT) run.skipped++;
          else c.sendNext();
        }
      }, 2);
    }

    await delay(opts.warmup * 1000);
    const profileFile = (i: number) =>
      opts.profileDir &&
      path.join(opts.profileDir, `${kind}${servers.length > 1 ? i + 1 : ''}-${opts.sessions}-r${round}.cpuprofile`);
    if (opts.profileDir) for (const child of servers) await child.command('profile-start');
    const cpuBefore = await cpu();
    const redisBefore = redis?.cpuSeconds() ?? NaN;
    const clientBefore = process.cpuUsage();
    const machineBefore = machineBusySeconds();
    const clientLoop = monitorEventLoopDelay({ resolution: 5 });
    clientLoop.enable();
    const clientGc = new GcPauses();
    const windowStart = performance.now();
    run.phase = 'measure';
    await delay(opts.seconds * 1000);
    run.phase = 'drain';
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const clientCpu = process.cpuUsage(clientBefore);
    const machineAfter = machineBusySeconds();
    clientLoop.disable();
    const clientGcInWindow = clientGc.take();
    clientGc.stop();
    run.sending = false;
    if (ticker) clearInterval(ticker);
    const cpuAfter = await cpu();
    const redisSeconds = (redis?.cpuSeconds() ?? NaN) - redisBefore;
    if (opts.profileDir) {
      for (const [i, child] of servers.entries()) {
        log(
          `${kind}: profile of the measured window written to ${String((await child.command(`profile-stop ${profileFile(i)}`)).profile)}`,
        );
      }
    }

    // Let what is in flight arrive, so "lost" means lost, not late.
    const drainUntil = performance.now() + 5_000;
    while (run.deliveredTotal < run.sentTotal && performance.now() < drainUntil) await delay(50);

    const sorted = run.latencies.sorted();
    const serverCpuSeconds =
      (cpuAfter.cpu.user + cpuAfter.cpu.system - cpuBefore.cpu.user - cpuBefore.cpu.system) / 1e6;
    return {
      kind,
      round,
      sockets: senders.length,
      sessions: pairs.length,
      setupSeconds,
      seconds: windowSeconds,
      offered: opts.rate,
      sent: run.sentInWindow,
      delivered: run.deliveredInWindow,
      throughput: run.deliveredInWindow / windowSeconds,
      mbPerSecond: run.bytesInWindow / windowSeconds / 1e6,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
      lost: run.sentTotal - run.deliveredTotal,
      skipped: run.skipped,
      serverCpu: serverCpuSeconds / ((cpuAfter.now - cpuBefore.now) / 1000),
      serverMicrosPerMessage: (serverCpuSeconds * 1e6) / Math.max(1, run.deliveredInWindow),
      serverSystemMicrosPerMessage: (cpuAfter.cpu.system - cpuBefore.cpu.system) / Math.max(1, run.deliveredInWindow),
      clientCpu: (clientCpu.user + clientCpu.system) / 1e6 / windowSeconds,
      otherCpu:
        machineBefore === undefined || machineAfter === undefined
          ? NaN
          : Math.max(
              0,
              (machineAfter - machineBefore) / windowSeconds -
                serverCpuSeconds / windowSeconds -
                (Number.isFinite(redisSeconds) ? redisSeconds : 0) / windowSeconds -
                (clientCpu.user + clientCpu.system) / 1e6 / windowSeconds,
            ),
      serverRssMb: cpuAfter.rss / 1e6,
      serverLoopP99: cpuAfter.loopP99,
      serverLoopMax: cpuAfter.loopMax,
      clientLoopP99: clientLoop.percentile(99) / 1e6,
      clientLoopMax: clientLoop.max / 1e6,
      serverGc: cpuAfter.gc,
      clientGc: clientGcInWindow,
      instances: servers.length,
      redisCpu: redisSeconds / windowSeconds,
      redisMicrosPerMessage: (redisSeconds * 1e6) / Math.max(1, run.deliveredInWindow),
      run,
    };
  } finally {
    for (const c of clients) c.close();
    for (const child of servers) await child.stop();
    await redis?.stop();
  }
}

// --- report ----------------------------------------------------------------------------------------------------

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Other processes' CPU (cores) above which a run counts as disturbed. */
const OTHER_CPU_LIMIT = 0.25;

function report(opts: Options, results: Result[]): void {
  const names: Record<ServerKind, string> = {
    bare: opts.bareMode === 'json' ? 'bare ws+JSON' : 'bare ws',
    tandem: 'Tandem',
    'tandem-redis': 'Tandem+Redis',
    cluster: `Tandem x${opts.instances}`,
  };
  const column = (r: Result) => (opts.rounds > 1 ? `${names[r.kind]} #${r.round}` : names[r.kind]);
  const rows: Array<[string, (r: Result) => string]> = [
    ['sessions / sockets', (r) => `${fmt(r.sessions)} / ${fmt(r.sockets)}`],
    ['setup time (s)', (r) => fmt(r.setupSeconds, 1)],
    ['measured window (s)', (r) => fmt(r.seconds, 1)],
    ['messages sent in window', (r) => fmt(r.sent)],
    ['delivered msg/s', (r) => fmt(r.throughput)],
    ['delivered MB/s', (r) => fmt(r.mbPerSecond, 1)],
    ['latency p50 (ms)', (r) => fmt(r.p50, 2)],
    ['latency p90 (ms)', (r) => fmt(r.p90, 2)],
    ['latency p99 (ms)', (r) => fmt(r.p99, 2)],
    ['latency p99.9 (ms)', (r) => fmt(r.p999, 2)],
    ['latency max (ms)', (r) => fmt(r.max, 2)],
    ['service instances', (r) => (r.kind === 'bare' ? '-' : fmt(r.instances))],
    ['server CPU (cores)', (r) => fmt(r.serverCpu, 2)],
    ['server CPU per message (µs)', (r) => fmt(r.serverMicrosPerMessage, 1)],
    ['  of which kernel (µs)', (r) => fmt(r.serverSystemMicrosPerMessage, 1)],
    ['Redis CPU (cores)', (r) => (usesRedis(r.kind) ? fmt(r.redisCpu, 2) : '-')],
    ['Redis CPU per message (µs)', (r) => (usesRedis(r.kind) ? fmt(r.redisMicrosPerMessage, 1) : '-')],
    ['load generator CPU (cores)', (r) => fmt(r.clientCpu, 2)],
    ["other processes' CPU (cores)", (r) => fmt(r.otherCpu, 2)],
    ['server RSS (MB)', (r) => fmt(r.serverRssMb)],
    [
      'server timer lag p99/max (ms)',
      (r) => (r.serverLoopMax > 0 ? `${fmt(r.serverLoopP99)} / ${fmt(r.serverLoopMax)}` : 'n/a'),
    ],
    [
      'load gen. timer lag p99/max (ms)',
      (r) => (r.clientLoopMax > 0 ? `${fmt(r.clientLoopP99)} / ${fmt(r.clientLoopMax)}` : 'n/a'),
    ],
    ['server GC pauses total / max (ms)', (r) => `${fmt(r.serverGc.totalMs)} / ${fmt(r.serverGc.maxMs, 1)}`],
    ['load gen. GC pauses total / max (ms)', (r) => `${fmt(r.clientGc.totalMs)} / ${fmt(r.clientGc.maxMs, 1)}`],
    ['server pings received in window', (r) => fmt(r.run.pingsInWindow)],
    ['not delivered after drain', (r) => fmt(r.lost)],
    ['sends skipped (client backpressure)', (r) => fmt(r.skipped)],
    ['setup failures', (r) => fmt(r.run.setupFailures)],
    ['socket errors / unexpected closes', (r) => `${fmt(r.run.socketErrors)} / ${fmt(r.run.unexpectedCloses)}`],
    ['`error` messages from server', (r) => fmt(r.run.serverErrors)],
    ['other unexpected messages', (r) => fmt(r.run.otherMessages)],
  ];
  const mode =
    opts.rate === 0
      ? `closed loop, ${opts.inflight} in flight per socket`
      : `open loop, ${fmt(opts.rate)} msg/s offered`;
  const out: string[] = [];
  out.push('');
  out.push(
    `Signaling relay benchmark: ${fmt(opts.sessions)} sessions, ${mode}, 1 SDP in ${opts.sdpEvery} messages, ` +
      `${opts.seconds} s measured after ${opts.warmup} s warm-up${opts.rounds > 1 ? `, ${opts.rounds} rounds` : ''}`,
  );
  out.push('');
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const cell = Math.max(
    14,
    ...results.map((r) => column(r).length + 2),
    ...rows.map(([, value]) => Math.max(...results.map((r) => value(r).length + 2))),
  );
  out.push(`${''.padEnd(width)}${results.map((r) => column(r).padStart(cell)).join('')}`);
  for (const [label, value] of rows)
    out.push(`${label.padEnd(width)}${results.map((r) => value(r).padStart(cell)).join('')}`);
  out.push('');

  // Runs disturbed by other processes are left out of the summary when undisturbed runs of that server exist.
  const disturbed = (r: Result) => r.otherCpu > OTHER_CPU_LIMIT;
  const of = (kind: ServerKind) => {
    const all = results.filter((r) => r.kind === kind);
    const clean = all.filter((r) => !disturbed(r));
    return clean.length ? clean : all;
  };
  const bare = of('bare');
  const m = (rs: Result[], f: (r: Result) => number) => median(rs.map(f));
  const what = opts.rounds > 1 ? ' (medians)' : '';
  const tandems = (['tandem', 'tandem-redis', 'cluster'] as const).filter((k) => of(k).length > 0);
  if (opts.rounds > 1 && bare.length && tandems.length)
    out.push(`medians of: ${[...bare, ...tandems.flatMap(of)].map(column).join(', ')}`);
  for (const kind of bare.length ? tandems : []) {
    const rs = of(kind);
    const tp = m(rs, (r) => r.throughput) / m(bare, (r) => r.throughput);
    const p99 = m(rs, (r) => r.p99) / m(bare, (r) => r.p99);
    const cost = m(rs, (r) => r.serverMicrosPerMessage) / m(bare, (r) => r.serverMicrosPerMessage);
    const name = names[kind];
    out.push(
      `throughput ratio (${name} / bare)${what}:  ${tp.toFixed(2)}x   target >= 0.80x   ${tp >= 0.8 ? 'PASS' : 'MISS'}`,
    );
    out.push(
      `p99 latency ratio (${name} / bare)${what}: ${p99.toFixed(2)}x   target <= 1.25x   ${p99 <= 1.25 ? 'PASS' : 'MISS'}`,
    );
    out.push(`server CPU per message (${name} / bare)${what}: ${cost.toFixed(2)}x   (for information)`);
  }
  // The hop between instances: what a signal pays for crossing Redis, against one instance (with and without Redis).
  if (of('cluster').length) {
    const cluster = of('cluster');
    for (const base of (['tandem-redis', 'tandem'] as const).filter((k) => of(k).length > 0)) {
      const added = m(cluster, (r) => r.p50) - m(of(base), (r) => r.p50);
      const cpu =
        m(cluster, (r) => r.serverMicrosPerMessage + (r.redisMicrosPerMessage || 0)) -
        m(of(base), (r) => r.serverMicrosPerMessage + (r.redisMicrosPerMessage || 0));
      out.push(
        `cross-instance hop, p50 added (${names.cluster} - ${names[base]})${what}: ${added.toFixed(2)} ms   target <= 1 ms   ${added <= 1 ? 'PASS' : 'MISS'}; ` +
          `service + Redis CPU per message added: ${cpu.toFixed(1)} µs`,
      );
    }
  }
  if (bare.length && tandems.length) {
    if (opts.rate === 0 && bare.some((r) => r.clientCpu > 0.9)) {
      out.push(
        'note: the load generator was CPU-bound during a bare run: the bare figure is a floor, the ratio a ceiling.',
      );
    }
    if (opts.rate > 0 && results.some((r) => r.throughput < opts.rate * 0.95)) {
      out.push(
        'note: a run delivered less than 95% of the offered rate: that server was saturated and its latency is queueing.',
      );
    }
  }
  const noisy = results.filter(disturbed);
  if (noisy.length) {
    out.push(
      `warning: other processes used more than ${OTHER_CPU_LIMIT} cores during ${noisy.map(column).join(', ')}: those figures are distorted` +
        (noisy.length < results.length
          ? ' (left out of the ratios where possible)'
          : '; rerun on a quiet machine (--wait-quiet)'),
    );
  }
  for (const r of results) {
    for (const e of r.run.serverErrorSamples) out.push(`${column(r)} error message: ${e}`);
    for (const e of r.run.socketErrorSamples) out.push(`${column(r)} socket: ${e}`);
    for (const e of r.run.setupFailureSamples) out.push(`${column(r)} setup failure: ${e}`);
    for (const e of r.run.otherMessageSamples) out.push(`${column(r)} unexpected message: ${e}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  sdpEvery = opts.sdpEvery;
  if (opts.profileDir) mkdirSync(opts.profileDir, { recursive: true });
  if (opts.heapSnapshotDir) mkdirSync(opts.heapSnapshotDir, { recursive: true });
  if (opts.servers.some((k) => k !== 'bare'))
    log(`tandem runs with the node flags of npm start: ${serviceNodeFlags().join(' ') || '(none)'}`);
  // Without them V8 keeps this small heap's old generation tight and runs a mark-compact every few hundred ms under
  // load: pauses that delay every message in flight and show up in both servers' tails (docs/benchmarks.md).
  if (!process.execArgv.some((flag) => flag.startsWith('--initial-old-space-size'))) {
    log(
      'note: the load generator runs without the node flags of "npm run bench:signaling"; its own GC pauses will widen the latency tails',
    );
  }
  const deadline = setTimeout(() => {
    log(`benchmark exceeded --timeout ${opts.timeout} s; stopping`);
    killChildren();
    process.exit(2);
  }, opts.timeout * 1000);
  deadline.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killChildren();
      process.exit(130);
    });
  }
  const results: Result[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    // Alternate the order so neither server always runs on a machine still busy with the other's teardown.
    const order = round % 2 ? opts.servers : [...opts.servers].reverse();
    for (const kind of order) {
      results.push(await measure(kind, round, opts));
      await delay(1_000);
    }
  }
  results.sort((a, b) => opts.servers.indexOf(a.kind) - opts.servers.indexOf(b.kind) || a.round - b.round);
  report(opts, results);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`benchmark failed: ${(err as Error).stack ?? String(err)}`);
    killChildren();
    process.exit(1);
  },
);
