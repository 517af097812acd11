import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundedConnection, boundedOAuth2 } from '../../src/salesforce/connection';
import {
  classifySalesforceError,
  lookupsToOmit,
  RecordRefusedError,
  type ClassifiedError,
} from '../../src/salesforce/errorKind';

/* Which failures hold back the whole org and which only the record. The shapes are jsforce 3.10's: first built by
 * hand as its source builds them, then thrown by jsforce itself against a local server. */

/** jsforce's HttpApiError: name = errorCode = Salesforce's errorCode, data = the error object. */
function apiError(errorCode: string, message: string, data: unknown = { errorCode, message }): Error {
  return Object.assign(new Error(message), { name: errorCode, errorCode, data });
}
const fieldError = (errorCode: string, message: string, fields: string[]) =>
  apiError(errorCode, message, { errorCode, message, fields });
/** jsforce's token endpoint refusal: name = the OAuth error, message = error_description. */
const oauthError = (error: string, description: string) => Object.assign(new Error(description), { name: error });

describe('classifying Salesforce failures', () => {
  it.each([
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Outcome must be set', []],
    ['ENTITY_IS_DELETED', 'entity is deleted', []],
    ['INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['Contact__c']],
    ['STRING_TOO_LONG', 'Guests: data value too large', ['Guests__c']],
    ['REQUIRED_FIELD_MISSING', 'Required fields are missing: [Region__c]', ['Region__c']],
    ['DUPLICATE_VALUE', 'duplicate value found', ['External_Id__c']],
    ['FIELD_INTEGRITY_EXCEPTION', 'Contact: id value of incorrect type', ['Contact__c']],
    ['INVALID_FIELD', 'No such column Guest_Count__c', []],
  ])("%s from the REST API is the record's", (code, message, fields) => {
    expect(classifySalesforceError(fieldError(code, message, fields))).toEqual({
      scope: 'record',
      code,
      fields,
      message,
    });
  });

  it("treats an unknown error code that comes with `fields` (a DML error) as the record's, and one without as the org's", () => {
    expect(classifySalesforceError(fieldError('SOME_NEW_DML_ERROR', 'x', [])).scope).toBe('record');
    expect(classifySalesforceError(apiError('SOME_NEW_PLATFORM_ERROR', 'x')).scope).toBe('org');
  });

  it.each([
    ['SERVER_UNAVAILABLE', apiError('SERVER_UNAVAILABLE', 'Service temporarily unavailable')],
    ['REQUEST_LIMIT_EXCEEDED', apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')],
    ['INVALID_SESSION_ID', apiError('INVALID_SESSION_ID', 'This session is not valid for use with the REST API')],
    ['API_DISABLED_FOR_ORG', apiError('API_DISABLED_FOR_ORG', 'API is not enabled for this Organization or Partner')],
    ['NOT_FOUND', apiError('NOT_FOUND', 'The requested resource does not exist')],
    ['ERROR_HTTP_503', apiError('ERROR_HTTP_503', 'HTTP response contains html content.', '<html>down</html>')],
    ['ERROR_HTTP_500', apiError('ERROR_HTTP_500', 'oops')],
    ['invalid_grant', oauthError('invalid_grant', 'expired access/refresh token')],
    ['invalid_client', oauthError('invalid_client', 'invalid client credentials')],
    ['invalid_client_id', oauthError('invalid_client_id', 'client identifier invalid')],
    ['ERROR_HTTP_503', oauthError('ERROR_HTTP_503', '<html>Service Unavailable</html>')],
    ['REFRESH_FAILED', new Error('Unable to refresh session due to: expired access/refresh token')],
    [
      'ECONNREFUSED',
      Object.assign(new Error('request failed, reason: connect ECONNREFUSED'), {
        name: 'FetchError',
        code: 'ECONNREFUSED',
        type: 'system',
      }),
    ],
    ['AbortError', Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' })],
    ['UNKNOWN', new Error('org 00D is not registered with integration credentials')],
  ])("%s is the org's", (code, err) => {
    expect(classifySalesforceError(err)).toMatchObject({ scope: 'org', code });
  });

  it('looks into every error of a MULTIPLE_API_ERRORS answer', () => {
    const records = apiError('MULTIPLE_API_ERRORS', 'Multiple errors returned.', [
      { errorCode: 'STRING_TOO_LONG', message: 'a', fields: ['Guests__c'] },
      { errorCode: 'REQUIRED_FIELD_MISSING', message: 'b', fields: ['Region__c'] },
    ]);
    expect(classifySalesforceError(records)).toEqual({
      scope: 'record',
      code: 'STRING_TOO_LONG',
      fields: ['Guests__c', 'Region__c'],
      message: 'STRING_TOO_LONG: a; REQUIRED_FIELD_MISSING: b',
    });
    const mixed = apiError('MULTIPLE_API_ERRORS', 'Multiple errors returned.', [
      { errorCode: 'STRING_TOO_LONG', message: 'a', fields: ['Guests__c'] },
      { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'b' },
    ]);
    expect(classifySalesforceError(mixed).scope).toBe('org');
  });

  it("treats an upsert answered with success:false as the record's", () => {
    const refused = new RecordRefusedError('Tandem_Session__c', [
      { errorCode: 'DUPLICATE_VALUE', message: 'duplicate', fields: ['External_Id__c'] },
    ]);
    expect(classifySalesforceError(refused)).toEqual({
      scope: 'record',
      code: 'DUPLICATE_VALUE',
      fields: ['External_Id__c'],
      message: 'duplicate',
    });
  });

  it('keeps what it reports short', () => {
    const long = classifySalesforceError(
      fieldError(
        'STRING_TOO_LONG',
        'x'.repeat(5000),
        Array.from({ length: 50 }, (_, i) => `F${i}__c`),
      ),
    );
    expect(long.message).toHaveLength(1000);
    expect(long.fields).toHaveLength(20);
    expect(classifySalesforceError('plain text')).toMatchObject({
      scope: 'org',
      code: 'UNKNOWN',
      message: 'plain text',
    });
    expect(classifySalesforceError(undefined)).toMatchObject({ scope: 'org', code: 'UNKNOWN' });
  });
});

describe('lookups to leave out', () => {
  const payload = { Contact__c: '0035g00000000ABAAA', Agent__c: '0055g00000AgentAAA', Outcome__c: 'agent_ended' };
  const record = (code: string, fields: string[], message = 'x'): ClassifiedError => ({
    scope: 'record',
    code,
    fields,
    message,
  });
  const LOOKUPS = ['Contact__c', 'Agent__c'];

  it('drops the lookup Salesforce named', () => {
    expect(lookupsToOmit(record('INVALID_CROSS_REFERENCE_KEY', ['Contact__c']), payload, LOOKUPS)).toEqual([
      'Contact__c',
    ]);
    expect(lookupsToOmit(record('INVALID_CROSS_REFERENCE_KEY', ['Agent__c']), payload, LOOKUPS)).toEqual(['Agent__c']);
    expect(
      lookupsToOmit(
        record('FIELD_INTEGRITY_EXCEPTION', [], 'Contact__c: id value of incorrect type'),
        payload,
        LOOKUPS,
      ),
    ).toEqual(['Contact__c']);
  });

  it('drops the contact first when a deleted-record error names no field', () => {
    expect(lookupsToOmit(record('ENTITY_IS_DELETED', []), payload, LOOKUPS)).toEqual(['Contact__c']);
    expect(lookupsToOmit(record('ENTITY_IS_DELETED', []), { ...payload, Contact__c: null }, LOOKUPS)).toEqual([
      'Agent__c',
    ]);
  });

  it('drops nothing for other errors, other fields, or lookups already empty', () => {
    expect(lookupsToOmit(record('FIELD_CUSTOM_VALIDATION_EXCEPTION', ['Contact__c']), payload, LOOKUPS)).toEqual([]);
    expect(lookupsToOmit(record('INVALID_CROSS_REFERENCE_KEY', ['Account__c']), payload, LOOKUPS)).toEqual([]);
    expect(lookupsToOmit(record('ENTITY_IS_DELETED', []), { Outcome__c: 'x' }, LOOKUPS)).toEqual([]);
    expect(
      lookupsToOmit({ ...record('INVALID_CROSS_REFERENCE_KEY', ['Contact__c']), scope: 'org' }, payload, LOOKUPS),
    ).toEqual([]);
  });
});

describe('classifying what jsforce really throws', () => {
  let server: Server;
  let url = '';
  /** Answers by path: [status, content type, body]; "hang" never answers. */
  const answers: Record<string, [number, string, string]> = {
    validation: [
      400,
      'application/json;charset=UTF-8',
      JSON.stringify([{ message: 'Outcome is required', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: [] }]),
    ],
    deleted: [
      400,
      'application/json;charset=UTF-8',
      JSON.stringify([
        { message: 'invalid cross reference id', errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['Contact__c'] },
      ]),
    ],
    unavailable: [
      503,
      'application/json;charset=UTF-8',
      JSON.stringify([{ message: 'Service temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]),
    ],
    maintenance: [503, 'text/html', '<html><body>Down for maintenance</body></html>'],
    noScope: [
      401,
      'application/json;charset=UTF-8',
      JSON.stringify([
        { message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' },
      ]),
    ],
    token: [
      400,
      'application/json;charset=UTF-8',
      JSON.stringify({ error: 'invalid_grant', error_description: 'expired access/refresh token' }),
    ],
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = answers[(req.url ?? '').split('/').pop() ?? ''];
      if (!answer) return; // hang
      res.writeHead(answer[0], { 'content-type': answer[1] });
      res.end(answer[2]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const failureOf = async (path: string, timeoutMs = 3000) => {
    const conn = await boundedConnection({ instanceUrl: url, accessToken: 'token' }, { apiVersion: '64.0', timeoutMs });
    const err = await conn
      .request({
        method: 'PATCH',
        url: `/services/data/v64.0/${path}`,
        body: '{}',
        headers: { 'content-type': 'application/json' },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    return classifySalesforceError(err);
  };

  it('reads record refusals with their code and fields', async () => {
    expect(await failureOf('validation')).toEqual({
      scope: 'record',
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      fields: [],
      message: 'Outcome is required',
    });
    expect(await failureOf('deleted')).toEqual({
      scope: 'record',
      code: 'INVALID_CROSS_REFERENCE_KEY',
      fields: ['Contact__c'],
      message: 'invalid cross reference id',
    });
  });

  it("reads outages, missing scopes, timeouts, refused connections and token refusals as the org's", async () => {
    expect(await failureOf('unavailable')).toMatchObject({ scope: 'org', code: 'SERVER_UNAVAILABLE' });
    expect(await failureOf('maintenance')).toMatchObject({ scope: 'org', code: 'ERROR_HTTP_503' });
    expect(await failureOf('noScope')).toMatchObject({ scope: 'org', code: 'INVALID_SESSION_ID' });
    expect(await failureOf('hang', 200)).toMatchObject({ scope: 'org', code: 'AbortError' });
    const oauth2 = await boundedOAuth2(
      { loginUrl: url, clientId: 'client', tokenServiceUrl: `${url}/token` },
      { apiVersion: '64.0', timeoutMs: 3000 },
    );
    const tokenError = await oauth2.requestToken({ grant_type: 'client_credentials' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classifySalesforceError(tokenError)).toMatchObject({
      scope: 'org',
      code: 'invalid_grant',
      message: 'expired access/refresh token',
    });
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = await boundedConnection(
      { instanceUrl: `http://127.0.0.1:${port}`, accessToken: 'token' },
      { apiVersion: '64.0', timeoutMs: 3000 },
    );
    const refused = await closed.request('/services/data/v64.0/limits').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classifySalesforceError(refused)).toMatchObject({ scope: 'org', code: 'ECONNREFUSED' });
  });
});
