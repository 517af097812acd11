import type { FastifyBaseLogger } from 'fastify';
import type { SalesforceOutboxEntry, SalesforceRequeueResult, Store } from '../store/store';
import type { SalesforceConfig } from './configSchema';
import { classifySalesforceError, lookupsToOmit, type ClassifiedError } from './errorKind';
import type { OrgRegistry } from './orgRegistry';
import { SESSION_EXTERNAL_ID, SESSION_SOBJECT } from './sessionRecord';

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
export function backoffMs(
  attempts: number,
  config: Pick<SalesforceConfig['outbox'], 'initialBackoffSeconds' | 'maxBackoffSeconds'>,
  random: () => number,
): number {
  const base = Math.min(config.maxBackoffSeconds, config.initialBackoffSeconds * 2 ** Math.min(attempts - 1, 30));
  return Math.round(base * 1000 * (0.5 + random() / 2));
}

/** Session records on their way to Salesforce. Each record is written to the store first, then upserted by its
 * external id; failures are retried with backoff, and the records survive restarts because they live in the store.
 * An upsert that reached Salesforce but whose answer was lost is harmless: the retry updates the same record.
 * When the org is the problem (unreachable, signed out) its records wait together; when Salesforce refuses one record
 * (a validation rule, a field error) only that record waits, and after `recordAttempts` it is parked for an admin. */
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
  async enqueue(
    orgId: string,
    sobject: string,
    externalId: string,
    payload: Record<string, unknown>,
  ): Promise<boolean> {
    const added = await this.deps.store.enqueueSalesforceRecord({
      orgId,
      sobject,
      externalId,
      payload,
      createdAt: this.now(),
    });
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

  /** An admin's "try again" for a parked record of their org; it is tried on the next pass. */
  async requeue(orgId: string, id: number): Promise<SalesforceRequeueResult> {
    const result = await this.deps.store.requeueSalesforceRecord(orgId, id, this.now());
    if (result.outcome === 'requeued') {
      this.deps.log.info(
        { orgId, outboxId: id, externalId: result.entry.externalId },
        'parked salesforce record requeued by an admin',
      );
      if (this.timer) this.kick();
    }
    return result;
  }

  private async drain(): Promise<void> {
    const { batchSize, leaseSeconds } = this.deps.config;
    for (let pass = 0; pass < 100 && !this.stopped; pass++) {
      const batch = await this.deps.store.claimSalesforceOutbox(this.now(), leaseSeconds * 1000, batchSize);
      if (batch.length === 0) return;
      // One failure of the org per pass is enough to know it is unreachable: its other records wait with it. A record
      // Salesforce refuses for itself waits alone.
      const heldBack = new Map<string, OrgFailure>();
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

  /** Writes one record; returns the org's failure when the org is the problem, so its other records wait. */
  private async deliver(entry: SalesforceOutboxEntry): Promise<OrgFailure | undefined> {
    const org = this.deps.registry.find(entry.orgId);
    if (!org?.connection)
      return this.orgFailed(entry, `org ${entry.orgId} is not registered with integration credentials`);
    const lookups = OPTIONAL_LOOKUPS[entry.sobject] ?? [];
    let omitted = entry.omittedFields;
    // A refused lookup is left out and the record tried again at once: each lookup at most once.
    for (let tries = 0; tries <= lookups.length; tries++) {
      try {
        await org.connection.upsert(entry.sobject, SESSION_EXTERNAL_ID, {
          ...without(entry.payload, omitted),
          [SESSION_EXTERNAL_ID]: entry.externalId,
        });
        await this.deps.store.markSalesforceDelivered(entry.id, this.now());
        this.deps.log.info(
          {
            orgId: entry.orgId,
            externalId: entry.externalId,
            attempts: entry.attempts + 1,
            ...(omitted.length ? { omittedFields: omitted } : {}),
          },
          'session record written to salesforce',
        );
        return undefined;
      } catch (err) {
        const failure = classifySalesforceError(err);
        if (failure.scope === 'org') return this.orgFailed(entry, describe(err));
        const drop = lookupsToOmit(failure, without(entry.payload, omitted), lookups);
        if (drop.length === 0) return this.recordFailed(entry, failure);
        omitted = [...omitted, ...drop];
        await this.deps.store.omitSalesforceRecordFields(entry.id, omitted);
        this.deps.log.warn(
          {
            orgId: entry.orgId,
            outboxId: entry.id,
            externalId: entry.externalId,
            errorCode: failure.code,
            omittedFields: drop,
          },
          'salesforce refused a lookup of a session record; writing it without',
        );
      }
    }
    return this.recordFailed(entry, {
      scope: 'record',
      code: 'UNKNOWN',
      fields: [],
      message: 'every optional lookup was refused',
    });
  }

  private async orgFailed(entry: SalesforceOutboxEntry, error: string): Promise<OrgFailure> {
    const attempts = entry.attempts + 1;
    const until = this.now() + backoffMs(attempts, this.deps.config, this.random);
    await this.deps.store.rescheduleSalesforceRecord(entry.id, attempts, until, error);
    this.deps.log.warn(
      { orgId: entry.orgId, externalId: entry.externalId, attempts, retryInMs: until - this.now(), error },
      'session record not written to salesforce yet; will retry',
    );
    return { until, error };
  }

  /** Salesforce refused the record itself: it alone is retried, then parked. Logs name the error code and fields,
   * never the message, which can quote the record's values. */
  private async recordFailed(entry: SalesforceOutboxEntry, failure: ClassifiedError): Promise<undefined> {
    const attempts = entry.attempts + 1;
    const recordFailures = entry.recordFailures + 1;
    const reason = `${failure.code}${failure.fields.length ? ` [${failure.fields.join(', ')}]` : ''}: ${failure.message}`;
    const logged = {
      orgId: entry.orgId,
      outboxId: entry.id,
      externalId: entry.externalId,
      errorCode: failure.code,
      fields: failure.fields,
      recordFailures,
    };
    if (recordFailures >= this.deps.config.recordAttempts) {
      await this.deps.store.parkSalesforceRecord(entry.id, { attempts, recordFailures, parkedAt: this.now(), reason });
      this.deps.log.warn(logged, 'salesforce keeps refusing a session record; parked it until an admin requeues it');
      return undefined;
    }
    const until = this.now() + backoffMs(recordFailures, this.deps.config, this.random);
    await this.deps.store.recordSalesforceRecordFailure(entry.id, {
      attempts,
      recordFailures,
      nextAttemptAt: until,
      lastError: reason,
    });
    this.deps.log.warn(
      { ...logged, retryInMs: until - this.now() },
      'salesforce refused a session record; will retry it alone',
    );
    return undefined;
  }
}

interface OrgFailure {
  until: number;
  error: string;
}

/** Lookups of each object that may be left out when Salesforce refuses them, most likely culprit first: a contact
 * merged or deleted since the session. The record is still worth writing without them. */
const OPTIONAL_LOOKUPS: Readonly<Record<string, readonly string[]>> = { [SESSION_SOBJECT]: ['Contact__c', 'Agent__c'] };

function without(payload: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  if (fields.length === 0) return payload;
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !fields.includes(key)));
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
