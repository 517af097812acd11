import type { FastifyBaseLogger } from 'fastify';
import type { SalesforceOutboxEntry, Store } from '../store/store';
import type { SalesforceConfig } from './configSchema';
import type { OrgRegistry } from './orgRegistry';
import { SESSION_EXTERNAL_ID } from './sessionRecord';

export interface OutboxDeps {
  store: Store;
  registry: OrgRegistry;
  config: SalesforceConfig['outbox'];
  log: FastifyBaseLogger;
  now?: () => number;
  random?: () => number;
}

/** Wait before the next attempt after `attempts` failures: doubling from the initial delay up to the maximum, with
 * jitter (50-100 %) so many records held back by one outage don't all hit the org in the same second. */
export function backoffMs(attempts: number, config: SalesforceConfig['outbox'], random: () => number): number {
  const base = Math.min(config.maxBackoffSeconds, config.initialBackoffSeconds * 2 ** Math.min(attempts - 1, 30));
  return Math.round(base * 1000 * (0.5 + random() / 2));
}

/** Session records on their way to Salesforce. Each record is written to the store first, then upserted by its
 * external id; failures are retried with backoff, and the records survive restarts because they live in the store.
 * An upsert that reached Salesforce but whose answer was lost is harmless: the retry updates the same record. */
export class SalesforceOutbox {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly deps: OutboxDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  /** Queues a record unless the same one is already queued; returns true when queued now. */
  async enqueue(orgId: string, sobject: string, externalId: string, payload: Record<string, unknown>): Promise<boolean> {
    const added = await this.deps.store.enqueueSalesforceRecord({ orgId, sobject, externalId, payload, createdAt: this.now() });
    if (added) this.kick();
    return added;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.deps.config.pollSeconds * 1000);
    this.timer.unref();
    this.kick();
  }

  /** Delivers what is due now, in the background; a call while a pass runs schedules one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((err: unknown) => this.deps.log.error({ err }, 'salesforce outbox pass failed'))
      .finally(() => {
        this.draining = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops polling and waits for the pass in progress (whose leases would otherwise run out by themselves). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.draining;
  }

  private async drain(): Promise<void> {
    const { batchSize, leaseSeconds } = this.deps.config;
    for (let pass = 0; pass < 100 && !this.stopped; pass++) {
      const batch = await this.deps.store.claimSalesforceOutbox(this.now(), leaseSeconds * 1000, batchSize);
      if (batch.length === 0) return;
      // One failure per org per pass is enough to know it is unreachable: its other records wait with it.
      const heldBack = new Map<string, { until: number; error: string }>();
      for (const entry of batch) {
        if (this.stopped) return;
        const held = heldBack.get(entry.orgId);
        if (held) {
          await this.deps.store.rescheduleSalesforceRecord(entry.id, entry.attempts + 1, held.until, held.error);
          continue;
        }
        const failure = await this.deliver(entry);
        if (failure) heldBack.set(entry.orgId, failure);
      }
      if (batch.length < batchSize) return;
    }
  }

  private async deliver(entry: SalesforceOutboxEntry): Promise<{ until: number; error: string } | undefined> {
    const org = this.deps.registry.find(entry.orgId);
    try {
      if (!org?.connection) throw new Error(`org ${entry.orgId} is not registered with integration credentials`);
      await org.connection.upsert(entry.sobject, SESSION_EXTERNAL_ID, { ...entry.payload, [SESSION_EXTERNAL_ID]: entry.externalId });
      await this.deps.store.markSalesforceDelivered(entry.id, this.now());
      this.deps.log.info({ orgId: entry.orgId, externalId: entry.externalId, attempts: entry.attempts + 1 }, 'session record written to salesforce');
      return undefined;
    } catch (err) {
      const attempts = entry.attempts + 1;
      const until = this.now() + backoffMs(attempts, this.deps.config, this.random);
      const error = describe(err);
      await this.deps.store.rescheduleSalesforceRecord(entry.id, attempts, until, error);
      this.deps.log.warn(
        { orgId: entry.orgId, externalId: entry.externalId, attempts, retryInMs: until - this.now(), error },
        'session record not written to salesforce yet; will retry',
      );
      return { until, error };
    }
  }
}

/** A short, log-safe account of a failure for the outbox row. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { errorCode?: string }).errorCode ?? (err.name && err.name !== 'Error' ? err.name : undefined);
    const message = err.message || 'no detail';
    return (code && !message.startsWith(code) ? `${code}: ${message}` : message).slice(0, 1000);
  }
  return String(err).slice(0, 1000) || 'unknown error';
}
