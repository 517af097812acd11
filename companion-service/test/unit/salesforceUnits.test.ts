import { createVerify, generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../../src/config/load';
import { jwtBearerAssertion } from '../../src/salesforce/jwtAssertion';
import { OrgRegistry } from '../../src/salesforce/orgRegistry';
import { sha256Hex } from '../../src/shared/sha256Hex';
import { backoffMs, describe as describeFailure } from '../../src/salesforce/outbox';
import { privilegesFrom, tandemPermissionsOf } from '../../src/salesforce/permissions';
import { sessionRecordFields } from '../../src/salesforce/sessionRecord';
import type { EndedSessionSummary } from '../../src/sessions/sessionService';

const OUTBOX = {
  enabled: true,
  pollSeconds: 10,
  initialBackoffSeconds: 10,
  maxBackoffSeconds: 3600,
  batchSize: 20,
  leaseSeconds: 120,
};

describe('outbox backoff', () => {
  it('doubles from the initial delay up to the maximum, with jitter between half and all of it', () => {
    expect(backoffMs(1, OUTBOX, () => 1)).toBe(10_000);
    expect(backoffMs(2, OUTBOX, () => 1)).toBe(20_000);
    expect(backoffMs(4, OUTBOX, () => 1)).toBe(80_000);
    expect(backoffMs(40, OUTBOX, () => 1)).toBe(3_600_000);
    expect(backoffMs(2, OUTBOX, () => 0)).toBe(10_000);
  });

  it("describes failures briefly, with Salesforce's error code", () => {
    expect(
      describeFailure(Object.assign(new Error('Session expired or invalid'), { errorCode: 'INVALID_SESSION_ID' })),
    ).toBe('INVALID_SESSION_ID: Session expired or invalid');
    expect(describeFailure(Object.assign(new Error(''), { name: 'invalid_grant' }))).toBe('invalid_grant: no detail');
    expect(describeFailure('x'.repeat(5000))).toHaveLength(1000);
  });
});

describe('session record fields', () => {
  const summary: EndedSessionSummary = {
    sessionId: 'abc123',
    code: '123456',
    startedAt: Date.UTC(2026, 10, 1, 10, 0, 0),
    endedAt: Date.UTC(2026, 10, 1, 10, 5, 0),
    outcome: 'agent_ended',
    // A logged-in visitor: (site, Contact id) as sessions carry it.
    visitorId: 'acme-portal/0035g00000000ABAAA',
    agentId: '0055g00000AgentAAA',
    guestNames: ['Lee', 'Kim'],
  };

  it('maps the summary, the terms acceptance and the guests', () => {
    const fields = sessionRecordFields(
      summary,
      undefined,
      {
        visitorId: summary.visitorId!,
        sessionId: 'abc123',
        termsVersion: 'v3',
        textSha256: 'x',
        acceptedAt: Date.UTC(2026, 10, 1, 10, 0, 30),
        ip: '1.2.3.4',
        userAgent: 'ua',
      },
      ['acme-portal'],
    );
    expect(fields).toEqual({
      External_Id__c: 'abc123',
      Contact__c: '0035g00000000ABAAA',
      Agent__c: '0055g00000AgentAAA',
      Session_Code__c: '123456',
      Started_At__c: '2026-11-01T10:00:00.000Z',
      Ended_At__c: '2026-11-01T10:05:00.000Z',
      Outcome__c: 'agent_ended',
      Terms_Version__c: 'v3',
      Terms_Accepted_At__c: '2026-11-01T10:00:30.000Z',
      Guests__c: 'Lee\nKim',
      Guest_Count__c: 2,
    });
  });

  it('takes the contact from the page the agent joined from, and leaves out ids that are not Salesforce ids', () => {
    const fields = sessionRecordFields(
      { ...summary, visitorId: undefined, agentId: 'dev:ana', guestNames: [] },
      {
        sessionId: 'abc123',
        orgId: '00D',
        siteId: null,
        contactId: '0035g00000000CDAAA',
        agentUserId: '0055g00000OtherAAA',
        createdAt: 0,
      },
      undefined,
      ['acme-portal'],
    );
    expect(fields).toMatchObject({
      Contact__c: '0035g00000000CDAAA',
      Agent__c: '0055g00000OtherAAA',
      Guests__c: null,
      Terms_Version__c: null,
    });
    expect(
      sessionRecordFields({ ...summary, visitorId: 'acme-portal/demo-customer-1' }, undefined, undefined, [
        'acme-portal',
      ]).Contact__c,
    ).toBeNull();
  });

  it("names the visitor as the contact only when they were a visitor of one of the org's sites", () => {
    expect(sessionRecordFields(summary, undefined, undefined, ['acme-portal']).Contact__c).toBe('0035g00000000ABAAA');
    expect(sessionRecordFields(summary, undefined, undefined, ['other-site']).Contact__c).toBeNull();
    expect(sessionRecordFields(summary, undefined, undefined, []).Contact__c).toBeNull();
    expect(
      sessionRecordFields({ ...summary, visitorId: '0035g00000000ABAAA' }, undefined, undefined, ['acme-portal'])
        .Contact__c,
    ).toBeNull();
  });
});

describe('org registry', () => {
  const config = loadConfig({
    env: {},
    overrides: {
      salesforce: {
        orgs: [
          {
            orgId: '00D5g000000TestEAA',
            name: 'Test',
            apiKeySha256: sha256Hex('the-right-key'),
            instanceUrl: 'https://acme.my.salesforce.com',
            siteIds: [],
          },
        ],
      },
    } as never,
  });
  const registry = new OrgRegistry(config.salesforce, { apiVersion: '64.0', timeoutMs: 1000 });

  it('authenticates an org by the hash of its API key, with its 15- or 18-character id', () => {
    expect(registry.authenticate('00D5g000000TestEAA', 'the-right-key')?.config.name).toBe('Test');
    expect(registry.authenticate('00D5g000000TestE', 'the-right-key')?.config.name).toBe('Test');
    expect(registry.authenticate('00D5g000000TestEAA', 'the-wrong-key')).toBeUndefined();
    expect(registry.authenticate('00D5g000000TestEAA', '')).toBeUndefined();
    expect(registry.authenticate('00D5g000000OtherAA', 'the-right-key')).toBeUndefined();
  });

  it('refuses a configuration that lists an org twice or a JWT integration without a key', () => {
    const org = config.salesforce.orgs[0]!;
    expect(
      () =>
        new OrgRegistry(
          { ...config.salesforce, orgs: [org, { ...org, orgId: '00D5g000000TestE' }] },
          { apiVersion: '64.0', timeoutMs: 1 },
        ),
    ).toThrow(/twice/);
    const jwtOrg = {
      ...org,
      integration: { flow: 'jwt' as const, loginUrl: 'https://login.salesforce.com', clientId: 'c', username: 'u' },
    };
    expect(
      () => new OrgRegistry({ ...config.salesforce, orgs: [jwtOrg] }, { apiVersion: '64.0', timeoutMs: 1 }),
    ).toThrow(/privateKey/);
  });

  it('is validated at start: bad org ids and unhashed keys are refused with the setting named', () => {
    expect(() =>
      loadConfig({
        env: {
          TANDEM_SALESFORCE_ORGS: JSON.stringify([
            { orgId: '001xx', name: 'x', apiKeySha256: 'plain', instanceUrl: 'https://x' },
          ]),
        },
      }),
    ).toThrow(/salesforce\.orgs/);
  });
});

describe('JWT bearer assertion', () => {
  it("is RS256 over iss, sub, aud and a short expiry, verifiable with the certificate's public key", () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Date.UTC(2026, 10, 1);
    const jwt = jwtBearerAssertion({
      clientId: 'consumer',
      username: 'integration@acme.test',
      audience: 'https://login.salesforce.com',
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      nowMs: now,
    });
    const [header, claims, signature] = jwt.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({
      iss: 'consumer',
      sub: 'integration@acme.test',
      aud: 'https://login.salesforce.com',
      exp: now / 1000 + 180,
    });
    expect(
      createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });
});

describe('custom permissions by SOQL', () => {
  it("finds the package's permissions, then which of them reach the user through permission set assignments", async () => {
    const queries: string[] = [];
    const query = async <T>(soql: string): Promise<T[]> => {
      queries.push(soql);
      if (soql.includes('FROM CustomPermission')) {
        return [
          { Id: '0CP000000000001AAA', DeveloperName: 'Tandem_Join' },
          { Id: '0CP000000000002AAA', DeveloperName: 'Tandem_Agent_Video' },
          { Id: '0CP000000000003AAA', DeveloperName: 'Tandem_Remote_Control' },
        ] as T[];
      }
      return [{ SetupEntityId: '0CP000000000001AAA' }, { SetupEntityId: '0CP000000000003' }] as T[];
    };
    const granted = await tandemPermissionsOf(query, '0055g00000AgentAAA');
    expect([...granted].sort()).toEqual(['Tandem_Join', 'Tandem_Remote_Control']);
    expect(queries[1]).toContain("AssigneeId = '0055g00000AgentAAA'");
    expect(privilegesFrom(granted)).toEqual(['Tandem_Remote_Control']);
    await expect(tandemPermissionsOf(query, "x' OR Id != '")).rejects.toThrow();
  });
});
