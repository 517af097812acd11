import { DuplicateRecordError } from '../../src/store/storeErrors';
import type { SalesforceOutboxEntry, SessionRecord, Store } from '../../src/store/store';

/* What every Store must do, whatever keeps the records: the same tests run against SQLite and PostgreSQL
 * (test/integration/storeSqlite.test.ts, storePostgres.test.ts). A store that passes can replace the other. */

/** Records kept somewhere (a SQLite file, a PostgreSQL schema): empty when made, removed by dispose(). */
export interface StoreEnvironment {
  /** A migrated store on this environment's records; each call is another instance's store on the same records. */
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

const T0 = 1_700_000_000_000;
const ORG = '00D000000000001AAA';
const OTHER_ORG = '00D000000000002AAA';

/* Refusals are checked with `.rejects.toBeTruthy()`, not `.toThrow()`: better-sqlite3 is a native module, loaded once
 * per jest worker, so its errors are instances of the first test file's Error; in later files `instanceof Error` is
 * false and `.toThrow()` would report a refusal as no throw at all. */
export function storeContract(name: string, makeEnvironment: () => Promise<StoreEnvironment>): void {
  describe(`${name} store contract`, () => {
    let env: StoreEnvironment;
    let store: Store;
    const opened: Store[] = [];
    const another = async (): Promise<Store> => {
      const s = await env.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      env = await makeEnvironment();
      store = await another();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await env.dispose();
    });

    const session = (id: string, extra: Partial<SessionRecord> = {}) =>
      store.createSession({ id, code: '123456', status: 'waiting', createdAt: T0, ...extra });
    const enqueue = (externalId: string, createdAt = T0, orgId = ORG, sobject = 'Tandem_Session__c') =>
      store.enqueueSalesforceRecord({ orgId, sobject, externalId, payload: { Name: externalId }, createdAt });
    const outboxIds = (entries: SalesforceOutboxEntry[]) => entries.map((e) => e.externalId);

    describe('schema', () => {
      it('migrates again without losing records, and answers a ping', async () => {
        await session('s1');
        await store.migrate();
        await (await another()).migrate();
        expect(await store.getSession('s1')).toMatchObject({ id: 's1' });
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('refuses every call once closed', async () => {
        const closing = await another();
        await closing.close();
        await expect(closing.ping()).rejects.toBeTruthy();
        await expect(closing.getSession('s1')).rejects.toBeTruthy();
        await expect(closing.close()).resolves.toBeUndefined();
      });
    });

    describe('sessions', () => {
      it('stores a session with its site and reads it back as written', async () => {
        await session('s1', { code: '987654', status: 'inviting', createdAt: T0 + 5, siteId: 'acme' });
        await session('s2');
        expect(await store.getSession('s1')).toEqual({
          id: 's1',
          code: '987654',
          status: 'inviting',
          createdAt: T0 + 5,
          endedAt: null,
          endReason: null,
          siteId: 'acme',
        });
        expect((await store.getSession('s2'))?.siteId).toBeNull();
        expect(await store.getSession('missing')).toBeUndefined();
      });

      it('refuses a second session with the same id and keeps the first', async () => {
        await session('s1', { code: '111111' });
        await expect(session('s1', { code: '222222' })).rejects.toBeTruthy();
        await expect(session('s2', { code: '222222' })).resolves.toBeUndefined();
        expect((await store.getSession('s1'))?.code).toBe('111111');
      });

      it('refuses a status it does not know', async () => {
        await expect(session('s1', { status: 'paused' as never })).rejects.toBeTruthy();
        expect(await store.getSession('s1')).toBeUndefined();
      });

      it('updates the status, keeps the end time and reason once set, and ignores sessions it does not have', async () => {
        await session('s1');
        await store.updateSessionStatus('s1', 'active');
        expect(await store.getSession('s1')).toMatchObject({ status: 'active', endedAt: null, endReason: null });
        await store.updateSessionStatus('s1', 'ended', T0 + 100, 'agent_ended');
        await store.updateSessionStatus('s1', 'ended');
        expect(await store.getSession('s1')).toMatchObject({
          status: 'ended',
          endedAt: T0 + 100,
          endReason: 'agent_ended',
        });
        await expect(store.updateSessionStatus('missing', 'ended', T0, 'x')).resolves.toBeUndefined();
        expect(await store.getSession('missing')).toBeUndefined();
      });

      it('lists the sessions not ended, oldest first, then by id byte by byte', async () => {
        await session('b', { createdAt: T0 + 2 });
        await session('a', { createdAt: T0 + 2 });
        await session('B', { createdAt: T0 + 2 });
        await session('old', { createdAt: T0, status: 'inviting' });
        await session('gone', { createdAt: T0 + 1 });
        await store.updateSessionStatus('gone', 'ended', T0 + 3, 'code_expired');
        const open = await store.listOpenSessions();
        // "B" before "a": the ids' bytes decide, not a language's collation.
        expect(open.map((s) => s.id)).toEqual(['old', 'B', 'a', 'b']);
        expect(open[0]).toMatchObject({ status: 'inviting', createdAt: T0 });
      });
    });

    describe('participants', () => {
      it("lists a session's participants by join time, then id, and no one else's", async () => {
        await session('s1');
        await session('s2');
        await store.addParticipant({
          id: 'p2',
          sessionId: 's1',
          role: 'agent',
          identity: 'agent-1',
          name: 'Ana',
          joinedAt: T0 + 2,
        });
        await store.addParticipant({
          id: 'p1',
          sessionId: 's1',
          role: 'visitor',
          identity: 'acme/v1',
          name: null,
          joinedAt: T0 + 1,
        });
        await store.addParticipant({
          id: 'p0',
          sessionId: 's1',
          role: 'guest',
          identity: 'guest',
          name: 'Gil',
          joinedAt: T0 + 2,
        });
        await store.addParticipant({
          id: 'px',
          sessionId: 's2',
          role: 'visitor',
          identity: 'anonymous',
          name: null,
          joinedAt: T0,
        });
        expect(await store.listParticipants('s1')).toEqual([
          {
            id: 'p1',
            sessionId: 's1',
            role: 'visitor',
            identity: 'acme/v1',
            name: null,
            joinedAt: T0 + 1,
            leftAt: null,
            leaveReason: null,
          },
          {
            id: 'p0',
            sessionId: 's1',
            role: 'guest',
            identity: 'guest',
            name: 'Gil',
            joinedAt: T0 + 2,
            leftAt: null,
            leaveReason: null,
          },
          {
            id: 'p2',
            sessionId: 's1',
            role: 'agent',
            identity: 'agent-1',
            name: 'Ana',
            joinedAt: T0 + 2,
            leftAt: null,
            leaveReason: null,
          },
        ]);
        expect(await store.listParticipants('missing')).toEqual([]);
      });

      it('keeps the first time a participant left, and ignores participants it does not have', async () => {
        await session('s1');
        await store.addParticipant({
          id: 'p1',
          sessionId: 's1',
          role: 'visitor',
          identity: 'anonymous',
          name: null,
          joinedAt: T0,
        });
        await store.participantLeft('p1', T0 + 10, 'hangup');
        await store.participantLeft('p1', T0 + 20, 'lost');
        await expect(store.participantLeft('missing', T0, 'lost')).resolves.toBeUndefined();
        expect(await store.listParticipants('s1')).toEqual([
          expect.objectContaining({ id: 'p1', leftAt: T0 + 10, leaveReason: 'hangup' }),
        ]);
      });

      it('refuses a participant of a session it does not have, or a second one with the same id', async () => {
        await session('s1');
        const p = {
          id: 'p1',
          sessionId: 's1',
          role: 'visitor' as const,
          identity: 'anonymous',
          name: null,
          joinedAt: T0,
        };
        await expect(store.addParticipant({ ...p, sessionId: 'missing' })).rejects.toBeTruthy();
        await expect(store.addParticipant(p)).resolves.toBeUndefined();
        await expect(store.addParticipant({ ...p, name: 'Again' })).rejects.toBeTruthy();
        expect(await store.listParticipants('s1')).toEqual([expect.objectContaining({ id: 'p1', name: null })]);
      });
    });

    describe('events', () => {
      it("lists a session's events in the order they were appended, whatever their times, with their details", async () => {
        await session('s1');
        await session('s2');
        const detail = {
          reason: 'agent_ended',
          nested: { list: [1, 'two', null], flag: true },
          text: 'Zoë 👋 "quoted"',
        };
        await store.appendEvent({
          sessionId: 's1',
          at: T0 + 5,
          kind: 'session.created',
          participantId: 'p1',
          detail: null,
        });
        await store.appendEvent({ sessionId: 's2', at: T0, kind: 'other', participantId: null, detail: null });
        await store.appendEvent({ sessionId: 's1', at: T0 + 1, kind: 'agent.joined', participantId: null, detail });
        await store.appendEvent({
          sessionId: 's1',
          at: T0 + 1,
          kind: 'session.ended',
          participantId: null,
          detail: {},
        });
        expect(await store.listEvents('s1')).toEqual([
          { sessionId: 's1', at: T0 + 5, kind: 'session.created', participantId: 'p1', detail: null },
          { sessionId: 's1', at: T0 + 1, kind: 'agent.joined', participantId: null, detail },
          { sessionId: 's1', at: T0 + 1, kind: 'session.ended', participantId: null, detail: {} },
        ]);
        expect(await store.listEvents('missing')).toEqual([]);
      });

      it('refuses an event of a session it does not have', async () => {
        await expect(
          store.appendEvent({ sessionId: 'missing', at: T0, kind: 'x', participantId: null, detail: null }),
        ).rejects.toBeTruthy();
      });
    });

    describe('terms acceptances', () => {
      const acceptance = (sessionId: string, visitorId = 'acme/003000000000001') => ({
        visitorId,
        sessionId,
        termsVersion: '2024-05',
        textSha256: 'a'.repeat(64),
        acceptedAt: T0 + 7,
        ip: '203.0.113.9',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      });

      it("stores who accepted which text, when and from where, with the visitor's site", async () => {
        await session('s1');
        await session('s2');
        await store.recordTermsAcceptance(acceptance('s1'));
        await store.recordTermsAcceptance(acceptance('s2', 'bare-visitor'));
        expect(await store.getTermsAcceptance('s1')).toEqual(acceptance('s1'));
        expect((await store.getTermsAcceptance('s2'))?.visitorId).toBe('bare-visitor');
        expect(await store.getTermsAcceptance('missing')).toBeUndefined();
      });

      it('refuses a second acceptance for the same session with DuplicateRecordError, and keeps the first', async () => {
        await session('s1');
        await store.recordTermsAcceptance(acceptance('s1'));
        const second = store.recordTermsAcceptance({ ...acceptance('s1', 'acme/someone-else'), acceptedAt: T0 + 9 });
        await expect(second).rejects.toBeInstanceOf(DuplicateRecordError);
        await expect(second).rejects.toMatchObject({ record: 'terms_acceptance' });
        // Another instance's store refuses it too: the refusal is the database's, not a cache's.
        await expect((await another()).recordTermsAcceptance(acceptance('s1'))).rejects.toBeInstanceOf(
          DuplicateRecordError,
        );
        expect(await store.getTermsAcceptance('s1')).toEqual(acceptance('s1'));
      });

      it('refuses an acceptance for a session it does not have, as a failure and not a duplicate', async () => {
        const refused = store.recordTermsAcceptance(acceptance('missing'));
        await expect(refused).rejects.toBeTruthy();
        await expect(refused).rejects.not.toBeInstanceOf(DuplicateRecordError);
        expect(await store.getTermsAcceptance('missing')).toBeUndefined();
      });
    });

    describe('problem reports', () => {
      const report = {
        id: 'TP-0A1B2C3D4E',
        sessionId: 's1',
        participantId: 'p1',
        reportedAt: T0 + 3,
        description: 'Video froze',
        diagnostics: { rtt: 120, browser: 'Firefox', codec: null },
      };

      it('stores a report and reads it back; refuses a second one with the same id or for a session it does not have', async () => {
        await session('s1');
        await store.saveProblemReport(report);
        expect(await store.getProblemReport(report.id)).toEqual(report);
        await expect(store.saveProblemReport({ ...report, description: 'again' })).rejects.toBeTruthy();
        await expect(store.saveProblemReport({ ...report, id: 'TP-OTHER', sessionId: 'missing' })).rejects.toBeTruthy();
        expect(await store.getProblemReport(report.id)).toEqual(report);
        expect(await store.getProblemReport('TP-OTHER')).toBeUndefined();
      });

      it('stores a description with a NUL character rather than failing the report', async () => {
        await session('s1');
        await store.saveProblemReport({
          ...report,
          description: 'before\u0000after',
          diagnostics: { raw: 'x\u0000y' },
        });
        const stored = await store.getProblemReport(report.id);
        // PostgreSQL's text cannot hold U+0000 (postgresStore.ts): it becomes U+FFFD there; JSON keeps it escaped.
        expect(stored?.description.replace('\uFFFD', '\u0000')).toBe('before\u0000after');
        expect(stored?.diagnostics).toEqual({ raw: 'x\u0000y' });
      });
    });

    describe('Salesforce orgs, users and session links', () => {
      const org = {
        orgId: ORG,
        name: 'Acme',
        apiKeySha256: 'b'.repeat(64),
        instanceUrl: 'https://acme.my.salesforce.com',
        siteIds: ['acme', 'acme-eu'],
        updatedAt: T0,
      };

      it('saves an org, replaces it on the next save, and reads back its sites in order', async () => {
        await store.saveSalesforceOrg(org);
        expect(await store.getSalesforceOrg(ORG)).toEqual(org);
        const renamed = {
          ...org,
          name: 'Acme Corp',
          apiKeySha256: 'c'.repeat(64),
          siteIds: ['acme-eu'],
          updatedAt: T0 + 1,
        };
        await store.saveSalesforceOrg(renamed);
        expect(await store.getSalesforceOrg(ORG)).toEqual(renamed);
        await store.saveSalesforceOrg({ ...org, orgId: OTHER_ORG, siteIds: [] });
        expect((await store.getSalesforceOrg(OTHER_ORG))?.siteIds).toEqual([]);
        expect(await store.getSalesforceOrg('00D000000000009AAA')).toBeUndefined();
      });

      it('remembers the org a user last signed in from', async () => {
        await store.rememberSalesforceUser('005A', ORG, T0);
        await store.rememberSalesforceUser('005B', ORG, T0);
        await store.rememberSalesforceUser('005A', OTHER_ORG, T0 + 1);
        expect(await store.getSalesforceUserOrg('005A')).toBe(OTHER_ORG);
        expect(await store.getSalesforceUserOrg('005B')).toBe(ORG);
        expect(await store.getSalesforceUserOrg('005C')).toBeUndefined();
      });

      it('links a session to an org, and a later link fills what it knows without erasing what it does not', async () => {
        const link = {
          sessionId: 's1',
          orgId: ORG,
          siteId: 'acme',
          contactId: '003A',
          agentUserId: '005A',
          createdAt: T0,
        };
        await store.linkSalesforceSession(link);
        expect(await store.getSalesforceSessionLink('s1')).toEqual(link);
        await store.linkSalesforceSession({
          sessionId: 's1',
          orgId: OTHER_ORG,
          siteId: null,
          contactId: null,
          agentUserId: '005B',
          createdAt: T0 + 9,
        });
        expect(await store.getSalesforceSessionLink('s1')).toEqual({ ...link, orgId: OTHER_ORG, agentUserId: '005B' });
        expect(await store.getSalesforceSessionLink('missing')).toBeUndefined();
      });
    });

    describe('Salesforce outbox', () => {
      it('adds a record once per org, object and external id, keeping the first payload', async () => {
        expect(await enqueue('e1')).toBe(true);
        expect(
          await store.enqueueSalesforceRecord({
            orgId: ORG,
            sobject: 'Tandem_Session__c',
            externalId: 'e1',
            payload: { Name: 'changed' },
            createdAt: T0 + 1,
          }),
        ).toBe(false);
        expect(
          await (
            await another()
          ).enqueueSalesforceRecord({
            orgId: ORG,
            sobject: 'Tandem_Session__c',
            externalId: 'e1',
            payload: {},
            createdAt: T0,
          }),
        ).toBe(false);
        expect(await enqueue('e1', T0, OTHER_ORG)).toBe(true);
        expect(await enqueue('e1', T0, ORG, 'Task')).toBe(true);
        const all = await store.listSalesforceOutbox();
        expect(all).toHaveLength(3);
        expect(all[0]).toEqual({
          id: expect.any(Number),
          orgId: ORG,
          sobject: 'Tandem_Session__c',
          externalId: 'e1',
          payload: { Name: 'e1' },
          createdAt: T0,
          status: 'pending',
          attempts: 0,
          recordFailures: 0,
          nextAttemptAt: T0,
          deliveredAt: null,
          parkedAt: null,
          lastError: null,
          omittedFields: [],
        });
      });

      it('claims the records due, soonest first then oldest, up to the limit, and none that are not due', async () => {
        await enqueue('late', T0 + 50);
        await enqueue('first', T0);
        await enqueue('second', T0);
        await enqueue('future', T0 + 1000);
        expect(outboxIds(await store.claimSalesforceOutbox(T0 + 100, 60_000, 2))).toEqual(['first', 'second']);
        expect(outboxIds(await store.claimSalesforceOutbox(T0 + 100, 60_000, 10))).toEqual(['late']);
        expect(await store.claimSalesforceOutbox(T0 + 100, 60_000, 10)).toEqual([]);
        expect(await store.claimSalesforceOutbox(T0 + 100, 60_000, 0)).toEqual([]);
      });

      it("leases a claimed record until the lease ends, to this store and to another instance's", async () => {
        await enqueue('e1');
        const [claimed] = await store.claimSalesforceOutbox(T0, 1000, 10);
        expect(claimed).toMatchObject({ externalId: 'e1', status: 'pending', attempts: 0 });
        const other = await another();
        expect(await other.claimSalesforceOutbox(T0 + 999, 1000, 10)).toEqual([]);
        expect(await store.claimSalesforceOutbox(T0 + 999, 1000, 10)).toEqual([]);
        // The lease ran out (the instance died with it): someone else takes the record.
        expect(outboxIds(await other.claimSalesforceOutbox(T0 + 1000, 1000, 10))).toEqual(['e1']);
      });

      it('never claims a delivered record again, and forgets its last error', async () => {
        await enqueue('e1');
        const [entry] = await store.claimSalesforceOutbox(T0, 1000, 10);
        await store.rescheduleSalesforceRecord(entry!.id, 1, T0 + 10, 'HTTP 503');
        await store.claimSalesforceOutbox(T0 + 10, 1000, 10);
        await store.markSalesforceDelivered(entry!.id, T0 + 20);
        expect(await store.claimSalesforceOutbox(T0 + 1_000_000, 1000, 10)).toEqual([]);
        expect((await store.listSalesforceOutbox())[0]).toMatchObject({
          status: 'delivered',
          deliveredAt: T0 + 20,
          lastError: null,
          attempts: 1,
        });
        await expect(store.markSalesforceDelivered(9_999_999, T0)).resolves.toBeUndefined();
      });

      it("reschedules after the org's failure: due again at the new time, lease released, the error kept (1000 characters)", async () => {
        await enqueue('e1');
        const [entry] = await store.claimSalesforceOutbox(T0, 60_000, 10);
        await store.rescheduleSalesforceRecord(entry!.id, 3, T0 + 500, 'x'.repeat(1500));
        expect(await store.claimSalesforceOutbox(T0 + 499, 60_000, 10)).toEqual([]);
        const [again] = await store.claimSalesforceOutbox(T0 + 500, 60_000, 10);
        expect(again).toMatchObject({
          externalId: 'e1',
          attempts: 3,
          recordFailures: 0,
          nextAttemptAt: T0 + 500,
          status: 'pending',
        });
        expect(again?.lastError).toBe('x'.repeat(1000));
      });

      it("counts the record's own failures, parks it, and requeues it for its own org only", async () => {
        await enqueue('e1');
        await enqueue('e2');
        const [entry, other] = await store.claimSalesforceOutbox(T0, 60_000, 10);
        await store.recordSalesforceRecordFailure(entry!.id, {
          attempts: 1,
          recordFailures: 1,
          nextAttemptAt: T0 + 100,
          lastError: 'REQUIRED_FIELD_MISSING',
        });
        expect(
          (await store.claimSalesforceOutbox(T0 + 100, 60_000, 10)).map((e) => [e.externalId, e.recordFailures]),
        ).toEqual([['e1', 1]]);
        await store.parkSalesforceRecord(entry!.id, {
          attempts: 2,
          recordFailures: 2,
          parkedAt: T0 + 200,
          reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        });
        // Parked: not claimed however late (e2 is still leased).
        expect(await store.claimSalesforceOutbox(T0 + 59_999, 60_000, 10)).toEqual([]);
        const parked = (await store.listSalesforceOutbox({ status: 'parked' }))[0];
        expect(parked).toMatchObject({
          externalId: 'e1',
          status: 'parked',
          parkedAt: T0 + 200,
          attempts: 2,
          recordFailures: 2,
          lastError: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        });

        expect(await store.requeueSalesforceRecord(OTHER_ORG, entry!.id, T0 + 300)).toEqual({ outcome: 'not_found' });
        expect(await store.requeueSalesforceRecord(ORG, 9_999_999, T0 + 300)).toEqual({ outcome: 'not_found' });
        expect(await store.requeueSalesforceRecord(ORG, other!.id, T0 + 300)).toEqual({
          outcome: 'not_parked',
          entry: expect.objectContaining({ externalId: 'e2', status: 'pending' }),
        });
        const requeued = await store.requeueSalesforceRecord(ORG, entry!.id, T0 + 300);
        expect(requeued).toEqual({
          outcome: 'requeued',
          entry: expect.objectContaining({
            externalId: 'e1',
            status: 'pending',
            parkedAt: null,
            recordFailures: 0,
            attempts: 2,
            nextAttemptAt: T0 + 300,
          }),
        });
        // Requeued once: a second requeue finds it no longer parked.
        expect((await store.requeueSalesforceRecord(ORG, entry!.id, T0 + 301)).outcome).toBe('not_parked');
        expect(outboxIds(await store.claimSalesforceOutbox(T0 + 300, 60_000, 10))).toEqual(['e1']);
      });

      it('does not requeue a delivered record', async () => {
        await enqueue('e1');
        const [entry] = await store.claimSalesforceOutbox(T0, 60_000, 10);
        await store.parkSalesforceRecord(entry!.id, { attempts: 1, recordFailures: 1, parkedAt: T0 + 1, reason: 'x' });
        await store.markSalesforceDelivered(entry!.id, T0 + 2);
        expect(await store.requeueSalesforceRecord(ORG, entry!.id, T0 + 3)).toEqual({
          outcome: 'not_parked',
          entry: expect.objectContaining({ status: 'delivered' }),
        });
      });

      it('remembers the fields to leave out of a record', async () => {
        await enqueue('e1');
        const [entry] = await store.claimSalesforceOutbox(T0, 60_000, 10);
        await store.omitSalesforceRecordFields(entry!.id, ['Contact__c', 'Account__c']);
        expect((await store.listSalesforceOutbox())[0]?.omittedFields).toEqual(['Contact__c', 'Account__c']);
      });

      it('lists by org and status, oldest first, up to a limit', async () => {
        for (const id of ['a1', 'a2', 'a3', 'a4']) await enqueue(id);
        await enqueue('b1', T0, OTHER_ORG);
        const [a1, a2] = await store.claimSalesforceOutbox(T0, 60_000, 2);
        await store.markSalesforceDelivered(a1!.id, T0 + 1);
        await store.parkSalesforceRecord(a2!.id, { attempts: 1, recordFailures: 1, parkedAt: T0 + 1, reason: 'x' });
        expect(outboxIds(await store.listSalesforceOutbox())).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
        expect(outboxIds(await store.listSalesforceOutbox({ orgId: ORG, status: 'pending' }))).toEqual(['a3', 'a4']);
        expect(outboxIds(await store.listSalesforceOutbox({ status: 'pending' }))).toEqual(['a3', 'a4', 'b1']);
        expect(outboxIds(await store.listSalesforceOutbox({ status: 'delivered' }))).toEqual(['a1']);
        expect(outboxIds(await store.listSalesforceOutbox({ orgId: ORG, status: 'parked' }))).toEqual(['a2']);
        expect(outboxIds(await store.listSalesforceOutbox({ orgId: OTHER_ORG, status: 'parked' }))).toEqual([]);
        expect(outboxIds(await store.listSalesforceOutbox({ orgId: ORG, limit: 3 }))).toEqual(['a1', 'a2', 'a3']);
        expect(await store.listSalesforceOutbox({ limit: 0 })).toEqual([]);
        expect(await store.countSalesforceOutbox()).toEqual({ pending: 3, parked: 1, delivered: 1 });
      });

      it('counts an empty outbox as nothing in every status', async () => {
        expect(await store.countSalesforceOutbox()).toEqual({ pending: 0, parked: 0, delivered: 0 });
      });

      it('never gives the same record to two instances claiming at the same moment', async () => {
        const other = await another();
        // Connections open beforehand, so that neither instance starts late (see `contested` below).
        await Promise.all([store, store, other, other].map((s) => s.ping()));
        const records = 40;
        const rounds = 20;
        let contested = 0;
        for (let round = 0; round < rounds; round++) {
          const now = T0 + round;
          // Set-up in parallel: only the claims below are the subject, and ~1,000 round trips in a row outlast jest's
          // timeout on a loaded machine.
          await Promise.all(Array.from({ length: records }, (_, i) => enqueue(`r${round}-${i}`, now)));
          // Two workers per instance claim together, in small batches, until nothing is left: every record must go to
          // exactly one of them.
          const claims = await Promise.all(
            [store, store, other, other].map(async (s) => {
              const mine: SalesforceOutboxEntry[] = [];
              for (;;) {
                const batch = await s.claimSalesforceOutbox(now, 60_000, 3);
                if (batch.length === 0) return mine;
                mine.push(...batch);
              }
            }),
          );
          const all = outboxIds(claims.flat());
          expect(new Set(all).size).toBe(all.length);
          expect(all.sort()).toEqual(Array.from({ length: records }, (_, i) => `r${round}-${i}`).sort());
          if (claims[0]!.length + claims[1]!.length > 0 && claims[2]!.length + claims[3]!.length > 0) contested++;
          await Promise.all(claims.flat().map((e) => store.markSalesforceDelivered(e.id, now)));
        }
        // Rounds where both instances took records: if one always finished before the other began, the test would
        // prove nothing about two of them.
        expect(contested).toBeGreaterThanOrEqual(rounds / 2);
        // Some hundreds of claims against a real database: seconds, not jest's 5, on a loaded machine.
      }, 30_000);
    });
  });
}
