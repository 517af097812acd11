import type { FastifyRequest } from 'fastify';
import { normalizeIP } from '@fastify/rate-limit';
import { ErrorCode } from '../protocol/codes';
import { API_KEY_HEADER } from '../protocol/salesforce';
import { errorText } from '../protocol/errorText';
import type { SalesforceConfig } from './configSchema';
import { sha256Hex } from '../shared/sha256Hex';
import type { OrgRegistry } from './orgRegistry';

/* The rate limit of the endpoints Apex calls. Callouts from every org share Salesforce's addresses, so a call with a
 * registered org's API key counts against that org (requestsPerOrgPerMinute). Any other call counts against the
 * address it came from (unknownKeyRequestsPerAddressPerMinute), before the key is checked further: a new random key
 * per request gets no fresh allowance, so keys can't be guessed quickly. */

const ORG_BUCKET = 'sf:org:';
const ADDRESS_BUCKET = 'sf:addr:';

export function apiKeyOf(request: FastifyRequest): string {
  return String(request.headers[API_KEY_HEADER] ?? '');
}

/** Route config (Fastify's `config` option) with the limit. */
export function salesforceCallLimit(registry: OrgRegistry, sf: SalesforceConfig) {
  return {
    rateLimit: {
      timeWindow: 60_000,
      keyGenerator: (request: FastifyRequest) => {
        const key = apiKeyOf(request);
        const hash = key ? sha256Hex(key) : '';
        return hash && registry.isRegisteredKeyHash(hash)
          ? `${ORG_BUCKET}${hash.slice(0, 24)}`
          : `${ADDRESS_BUCKET}${normalizeIP(request.ip)}`;
      },
      max: async (_request: FastifyRequest, bucket: string) =>
        bucket.startsWith(ORG_BUCKET) ? sf.requestsPerOrgPerMinute : sf.unknownKeyRequestsPerAddressPerMinute,
      // An error body in the protocol's shape, so Apex can read its code like any other refusal.
      errorResponseBuilder: () =>
        Object.assign(new Error(errorText(ErrorCode.RateLimited)), { statusCode: 429, code: ErrorCode.RateLimited }),
    },
  };
}
