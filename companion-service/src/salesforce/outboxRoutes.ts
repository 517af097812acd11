import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendError } from '../auth/bearer';
import { ErrorCode } from '../protocol/codes';
import { ErrorBody } from '../protocol/http';
import {
  API_KEY_HEADER,
  SfOutboxErrorCode,
  SfOutboxListQuery,
  SfOutboxListResponse,
  SfOutboxRecordParams,
  SfOutboxRetryRequest,
  SfOutboxRetryResponse,
  type SfOutboxRecord,
} from '../protocol/salesforce';
import type { SalesforceOutboxEntry, Store } from '../store/store';
import type { OrgRegistry, RegisteredOrg } from './orgRegistry';
import type { SalesforceOutbox } from './outbox';

const DEFAULT_LIMIT = 50;

export interface OutboxRouteDeps {
  store: Store;
  registry: OrgRegistry;
  outbox: SalesforceOutbox;
  /** The per-org rate limit the other Apex endpoints use. */
  routeConfig: object;
}

/** What the admin sees of a record: where it stands and why, never its field values. */
function view(entry: SalesforceOutboxEntry): SfOutboxRecord {
  return {
    id: entry.id,
    sobject: entry.sobject,
    externalId: entry.externalId,
    status: entry.status,
    attempts: entry.attempts,
    recordFailures: entry.recordFailures,
    reason: entry.lastError,
    omittedFields: entry.omittedFields,
    createdAt: entry.createdAt,
    nextAttemptAt: entry.status === 'pending' ? entry.nextAttemptAt : null,
    parkedAt: entry.parkedAt,
    deliveredAt: entry.deliveredAt,
  };
}

/** The org's admin looks at its session records in the outbox and requeues parked ones. Authenticated like every
 * /api/salesforce/* call (the org's API key with its org id), and every lookup is scoped to that org. */
export function registerOutboxRoutes(
  app: FastifyInstance,
  { store, registry, outbox, routeConfig }: OutboxRouteDeps,
): void {
  const authenticated = (orgId: string, apiKey: unknown, reply: FastifyReply): RegisteredOrg | undefined => {
    const org = registry.authenticate(orgId, typeof apiKey === 'string' ? apiKey : '');
    if (!org) sendError(reply, ErrorCode.Unauthorized);
    return org;
  };

  app.get<{ Querystring: SfOutboxListQuery }>(
    '/api/salesforce/outbox',
    {
      config: routeConfig,
      schema: { querystring: SfOutboxListQuery, response: { 200: SfOutboxListResponse, '4xx': ErrorBody } },
    },
    async (request, reply) => {
      const org = authenticated(request.query.orgId, request.headers[API_KEY_HEADER], reply);
      if (!org) return reply;
      const status = request.query.status ?? 'parked';
      const limit = request.query.limit ? Number(request.query.limit) : DEFAULT_LIMIT;
      // One more than asked for, to tell the admin there are more.
      const entries = await store.listSalesforceOutbox({ orgId: org.config.orgId, status, limit: limit + 1 });
      const body: SfOutboxListResponse = {
        orgId: org.config.orgId,
        status,
        records: entries.slice(0, limit).map(view),
        truncated: entries.length > limit,
      };
      return body;
    },
  );

  app.post<{ Params: SfOutboxRecordParams; Body: SfOutboxRetryRequest }>(
    '/api/salesforce/outbox/:id/retry',
    {
      config: routeConfig,
      schema: {
        params: SfOutboxRecordParams,
        body: SfOutboxRetryRequest,
        response: { 200: SfOutboxRetryResponse, '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const org = authenticated(request.body.orgId, request.headers[API_KEY_HEADER], reply);
      if (!org) return reply;
      const result = await outbox.requeue(org.config.orgId, Number(request.params.id));
      if (result.outcome === 'not_found') {
        return reply.code(404).send({
          code: SfOutboxErrorCode.NotFound,
          message: `Your org has no session record ${request.params.id} in the outbox.`,
        });
      }
      if (result.outcome === 'not_parked') {
        return reply.code(409).send({
          code: SfOutboxErrorCode.NotParked,
          message: `Session record ${request.params.id} is ${result.entry.status}, not parked: only parked records can be requeued.`,
        });
      }
      const body: SfOutboxRetryResponse = { record: view(result.entry) };
      return body;
    },
  );
}
