import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/* What the service counts for the people who run it (Prometheus, served by metrics/plugin.ts). One registry per
 * service instance, so several services in one process (tests) don't add up each other's figures. Counters are
 * bumped where things happen; the gauges (sockets, sessions, the outbox) are read when Prometheus scrapes, from
 * the sources registered with `observe…`. Label values come from closed sets (roles, message types, error codes):
 * nothing a client sends becomes a label. */

type Source<T> = () => T | Promise<T>;

const JOIN_TYPES = new Set(['visitor.start', 'agent.join', 'session.resume', 'terms.accept', 'guest.request']);

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly messages: Counter<'type'>;
  private readonly dropped: Counter<'reason'>;
  private readonly errors: Counter<'code'>;
  private readonly joins: Histogram<'type' | 'outcome'>;
  private readonly cobrowseBytes: Counter;
  private readonly storeSeconds: Histogram<'operation'>;
  private readonly busSeconds: Histogram;
  /** The relay's counter, bound once: it is bumped for every signal. */
  private readonly signalsRelayed: Counter.Internal;
  private socketsSource: Source<Record<string, number>> = () => ({});
  private sessionsSource: Source<Record<string, number>> = () => ({});
  private outboxSource: Source<Record<string, number>> = () => ({});

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    const registers = [this.registry];
    this.messages = new Counter({
      name: 'tandem_messages_received_total',
      help: 'Messages received on sockets, by type',
      labelNames: ['type'],
      registers,
    });
    this.signalsRelayed = new Counter({
      name: 'tandem_signals_relayed_total',
      help: 'Signals forwarded to their recipient',
      registers,
    }).labels();
    this.dropped = new Counter({
      name: 'tandem_messages_dropped_total',
      help: 'Messages refused before any handler ran, by reason (rate_limited, too_large, bad_message, ...)',
      labelNames: ['reason'],
      registers,
    });
    this.errors = new Counter({
      name: 'tandem_errors_total',
      help: 'Error answers sent to clients, by code',
      labelNames: ['code'],
      registers,
    });
    this.joins = new Histogram({
      name: 'tandem_join_seconds',
      help: 'Time to handle a start, join, resume, terms acceptance or guest request, by type and outcome (ok or refused)',
      labelNames: ['type', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.cobrowseBytes = new Counter({
      name: 'tandem_cobrowse_bytes_total',
      help: 'Bytes of co-browse events received from visitors',
      registers,
    });
    this.storeSeconds = new Histogram({
      name: 'tandem_store_seconds',
      help: 'Durable store calls, by operation',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.busSeconds = new Histogram({
      name: 'tandem_bus_publish_seconds',
      help: 'Publishing a session message on the bus (not signals: they are counted, not timed)',
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers,
    });
    const gauge = (name: string, help: string, label: string, source: () => Source<Record<string, number>>) =>
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers,
        async collect() {
          this.reset();
          for (const [value, count] of Object.entries(await source()())) this.set({ [label]: value }, count);
        },
      });
    gauge(
      'tandem_sockets',
      'Open sockets, by what they are: visitor, agent, guest, waiting_guest, visitor_tab, none',
      'role',
      () => this.socketsSource,
    );
    gauge('tandem_sessions', 'Live sessions this instance holds, by state', 'state', () => this.sessionsSource);
    gauge(
      'tandem_outbox_records',
      'Salesforce outbox records, by status (pending, parked, delivered)',
      'status',
      () => this.outboxSource,
    );
  }

  observeSockets(source: Source<Record<string, number>>): void {
    this.socketsSource = source;
  }

  observeSessions(source: Source<Record<string, number>>): void {
    this.sessionsSource = source;
  }

  observeOutbox(source: Source<Record<string, number>>): void {
    this.outboxSource = source;
  }

  received(type: string, bytes: number): void {
    this.messages.inc({ type });
    if (type === 'cobrowse.events') this.cobrowseBytes.inc(bytes);
  }

  relayed(): void {
    this.signalsRelayed.inc();
  }

  droppedMessage(reason: string): void {
    this.dropped.inc({ reason });
  }

  errorSent(code: string): void {
    this.errors.inc({ code });
  }

  /** Starts timing a handled message when it is a kind of join; call the result with whether it was refused. */
  handling(type: string): ((refused: boolean) => void) | undefined {
    if (!JOIN_TYPES.has(type)) return undefined;
    const end = this.joins.startTimer({ type });
    return (refused) => end({ outcome: refused ? 'refused' : 'ok' });
  }

  timeStore(operation: string): () => void {
    return this.storeSeconds.startTimer({ operation });
  }

  timeBus(): () => void {
    return this.busSeconds.startTimer();
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
