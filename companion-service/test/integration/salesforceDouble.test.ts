import { createHash, randomBytes } from 'node:crypto';
import { SalesforceDouble, type DoubleUser } from '../helpers/salesforceDouble';
import { CLIENT_ID, CLIENT_SECRET, INTEGRATION_USER, ORG_ID } from '../helpers/salesforceFixtures';

/* The Salesforce double itself, over HTTP: it must refuse what Salesforce refuses, or tests against it prove
 * nothing. OAuth scopes (what the connected app allows, what each token carries, what each endpoint needs) and
 * records refused for themselves. */

const USER: DoubleUser = {
  id: '0055g00000ScopesAA',
  name: 'Sky Scopes',
  username: 'sky@acme.test',
  permissions: ['Tandem_Join'],
};
const REDIRECT = 'https://tandem.example.test/auth/salesforce/callback';

let double: SalesforceDouble;
afterEach(async () => double.stop());

async function start(appScopes?: string[]): Promise<void> {
  double = await SalesforceDouble.start({
    orgId: ORG_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    integrationUser: INTEGRATION_USER,
    users: [USER],
    ...(appScopes ? { appScopes } : {}),
  });
}

/** The web-server flow by hand: authorize (with or without a scope), then trade the code for a token. */
async function authorize(scope: string | null): Promise<URL> {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT,
    state: 's',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
  });
  if (scope !== null) params.set('scope', scope);
  double.nextLogin = USER;
  const response = await fetch(`${double.url}/services/oauth2/authorize?${params}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get('location') ?? '');
  back.searchParams.set('verifier', verifier);
  return back;
}

async function tokenFor(scope: string | null): Promise<{ access_token: string; scope: string }> {
  const back = await authorize(scope);
  const response = await fetch(`${double.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uri: REDIRECT,
      code_verifier: back.searchParams.get('verifier') ?? '',
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; scope: string };
}

const get = async (path: string, token: string) => {
  const response = await fetch(`${double.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
};
const USERINFO = '/services/oauth2/userinfo';
const QUERY = `/services/data/v64.0/query?q=${encodeURIComponent("SELECT Id, DeveloperName FROM CustomPermission WHERE DeveloperName IN ('Tandem_Join')")}`;

describe('the Salesforce double and OAuth scopes', () => {
  it('records the scope asked for and refuses one the connected app lacks with invalid_scope', async () => {
    await start(['api', 'refresh_token']);
    const back = await authorize('api openid');
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('state')).toBe('s');
    expect(double.requestedScopes).toEqual(['api openid']);
  });

  it('refuses userinfo to a token without openid, id or profile', async () => {
    await start();
    const token = await tokenFor('api');
    expect(token.scope).toBe('api');
    const userinfo = await get(USERINFO, token.access_token);
    expect(userinfo.status).toBe(403);
    expect(userinfo.body).toMatchObject({ error: 'insufficient_scope' });
    expect(userinfo.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect((await get(QUERY, token.access_token)).status).toBe(200);
  });

  it('refuses the REST API to a token without api or full, as Salesforce does', async () => {
    await start();
    const token = await tokenFor('openid');
    expect((await get(USERINFO, token.access_token)).status).toBe(200);
    const query = await get(QUERY, token.access_token);
    expect(query).toMatchObject({
      status: 401,
      body: [{ errorCode: 'INVALID_SESSION_ID', message: 'This session is not valid for use with the REST API' }],
    });
  });

  it("grants all of the connected app's scopes when none is asked for, and so do client credentials", async () => {
    await start(['api', 'openid']);
    expect((await tokenFor(null)).scope).toBe('api openid');
    const response = await fetch(`${double.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    const issued = (await response.json()) as { access_token: string; scope: string };
    expect(issued.scope).toBe('api openid');
    expect(double.scopesOf(issued.access_token)).toEqual(['api', 'openid']);
  });
});

describe('the Salesforce double and refused records', () => {
  const upsert = async (token: string, externalId: string, fields: Record<string, unknown>) => {
    const response = await fetch(
      `${double.url}/services/data/v64.0/sobjects/Tandem_Session__c/External_Id__c/${externalId}`,
      {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      },
    );
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it("answers a validation rule and a deleted contact with Salesforce's 400 errors, and accepts the rest", async () => {
    await start();
    const { access_token: token } = await tokenFor('api');
    double.validationRules.push({ field: 'Outcome__c', value: 'bad', message: 'Not this outcome.' });
    double.deletedContacts.add('0035g00000DeletedAA');
    expect(await upsert(token, 's1', { Outcome__c: 'bad' })).toEqual({
      status: 400,
      body: [{ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Not this outcome.', fields: [] }],
    });
    expect(await upsert(token, 's2', { Contact__c: '0035g00000DeletedAA', Outcome__c: 'ok' })).toEqual({
      status: 400,
      body: [
        { errorCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['Contact__c'] },
      ],
    });
    double.deletedContactError = 'ENTITY_IS_DELETED';
    expect((await upsert(token, 's2', { Contact__c: '0035g00000DeletedAA' })).body).toEqual([
      { errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] },
    ]);
    expect(await upsert(token, 's3', { Outcome__c: 'ok' })).toMatchObject({
      status: 201,
      body: { success: true, created: true },
    });
    expect([...double.records.keys()]).toEqual(['Tandem_Session__c/s3']);
  });
});
