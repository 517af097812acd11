import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { callAsApex, newContactId, sha256 } from '../helpers/salesforceFixtures';

/* Finding 6: the Salesforce endpoints' rate limit was keyed by the unchecked X-Tandem-Api-Key header, so a new
 * random key per request got a fresh allowance every time: guessing keys was limited by nothing. Calls with a key no
 * org has now count against the client's address; an org's own calls still count against the org. */

jest.setTimeout(30_000);

const ORG_ID = '00D5g000000AcmeEAA';
const API_KEY = 'acme-org-api-key-for-the-rate-limit-test';
const PER_ORG = 40;

const suite = serviceSuite({
  devSignInSiteIds: [],
  salesforce: {
    orgs: [
      {
        orgId: ORG_ID,
        name: 'Acme',
        apiKeySha256: sha256(API_KEY),
        instanceUrl: 'https://acme.example.invalid',
        siteIds: [],
      },
    ],
    requestsPerOrgPerMinute: PER_ORG,
    outbox: { enabled: false },
  },
} as never);

const randomKey = () => randomBytes(24).toString('base64url');

describe("guessing an org's API key over HTTP", () => {
  it('is stopped per address: 200 calls with random keys from one address get 429 after the allowance', async () => {
    const limit = suite.server.config.salesforce.unknownKeyRequestsPerAddressPerMinute;
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const answer = await callAsApex(
        suite.server,
        '/api/salesforce/presence',
        { orgId: ORG_ID, contactId: newContactId() },
        randomKey(),
      );
      statuses.push(answer.status);
      if (answer.status === 429) expect(answer.body.code).toBe(ErrorCode.RateLimited);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - limit);
    // Without a key at all, too.
    expect(
      (await callAsApex(suite.server, '/api/salesforce/presence', { orgId: ORG_ID, contactId: newContactId() }, null))
        .status,
    ).toBe(429);

    // The org's own calls, from the same address, still count against the org only.
    for (let i = 0; i < PER_ORG; i++) {
      expect(
        (
          await callAsApex(
            suite.server,
            '/api/salesforce/presence',
            { orgId: ORG_ID, contactId: newContactId() },
            API_KEY,
          )
        ).status,
      ).toBe(200);
    }
    const overOrgLimit = await callAsApex(
      suite.server,
      '/api/salesforce/presence',
      { orgId: ORG_ID, contactId: newContactId() },
      API_KEY,
    );
    expect(overOrgLimit).toMatchObject({ status: 429, body: { code: ErrorCode.RateLimited } });
  });
});
