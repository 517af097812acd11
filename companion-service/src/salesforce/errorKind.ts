/* Which failures of a write to Salesforce are the org's (unreachable, signed out, over its limits: every record would
 * fail the same way, so the org's records wait together) and which are one record's (Salesforce refused that record's
 * values: only that record waits, and is parked after a few tries).
 *
 * What jsforce 3.10 throws, checked against its source (lib/http-api.js, lib/oauth2.js, lib/request.js,
 * lib/session-refresh-delegate.js):
 * - REST API error answers: HttpApiError with `name` = `errorCode` = Salesforce's errorCode and `data` = the error
 *   object ({ message, errorCode, fields? }); several errors at once: errorCode MULTIPLE_API_ERRORS, `data` = the
 *   array. The HTTP status is not kept, except as errorCode ERROR_HTTP_<status> when the body had no `message` (an
 *   HTML maintenance page, a plain-text 5xx).
 * - Token endpoint refusals: a plain Error whose `name` is the OAuth error (invalid_grant, invalid_client...) and whose
 *   message is the error_description; ERROR_HTTP_<status> when the body was not JSON.
 * - A 401 whose re-authentication failed: Error "Unable to refresh session due to: <reason>" (name "Error").
 * - Network: node-fetch FetchError (name FetchError, `code` ECONNREFUSED, ENOTFOUND...); a call past its deadline:
 *   AbortError (name AbortError, type "aborted").
 * Salesforce answers a refused record (HTTP 400) with `[{ errorCode, message, fields: [...] }]`; API-level refusals
 * (INVALID_SESSION_ID, REQUEST_LIMIT_EXCEEDED, NOT_FOUND...) carry no `fields`. */

export type ErrorScope = 'org' | 'record';

export interface ClassifiedError {
  scope: ErrorScope;
  /** Salesforce's errorCode, the OAuth error, or the network error's code; "UNKNOWN" when there is none. */
  code: string;
  /** Fields Salesforce named, if any. */
  fields: string[];
  /** Salesforce's message. It may quote the record's values: store it for the admin, never log it. */
  message: string;
}

/** One error of a refused record, as Salesforce reports it. */
export interface RecordErrorDetail {
  errorCode: string;
  message: string;
  fields: string[];
}

/** An upsert answered 2xx with success:false: Salesforce refused the record itself. */
export class RecordRefusedError extends Error {
  override readonly name = 'RecordRefusedError';

  constructor(
    readonly sobject: string,
    readonly errors: RecordErrorDetail[],
  ) {
    super(
      `upsert of ${sobject} refused: ${errors.map((e) => `${e.errorCode}: ${e.message}`).join('; ') || 'no detail'}`,
    );
  }
}

/** Salesforce, its login servers or the way there: every record of the org would fail alike. */
const ORG_CODES = new Set([
  'SERVER_UNAVAILABLE',
  'REQUEST_LIMIT_EXCEEDED',
  'REQUEST_RUNNING_TOO_LONG',
  'UNKNOWN_EXCEPTION',
  'UNABLE_TO_LOCK_ROW',
  'INVALID_SESSION_ID',
  'INVALID_AUTH_HEADER',
  'INVALID_LOGIN',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'INSUFFICIENT_ACCESS',
  'ORG_LOCKED',
  'STORAGE_LIMIT_EXCEEDED',
  // The object or external id field is missing (package not installed, or the integration user can't see it).
  'NOT_FOUND',
  'INVALID_TYPE',
]);

/** Salesforce refused this record's values. */
const RECORD_CODES = new Set([
  'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  'FIELD_FILTER_VALIDATION_EXCEPTION',
  'FIELD_INTEGRITY_EXCEPTION',
  'ENTITY_IS_DELETED',
  'ENTITY_IS_LOCKED',
  'INVALID_CROSS_REFERENCE_KEY',
  'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'STRING_TOO_LONG',
  'REQUIRED_FIELD_MISSING',
  'DUPLICATE_VALUE',
  'DUPLICATES_DETECTED',
  'INVALID_FIELD',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_ID_FIELD',
  'INVALID_TYPE_ON_FIELD_IN_RECORD',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'INVALID_EMAIL_ADDRESS',
  'NUMBER_OUTSIDE_VALID_RANGE',
  'MALFORMED_ID',
  'JSON_PARSER_ERROR',
  'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
  // More than one record has this external id (HTTP 300).
  'MULTIPLE_CHOICES',
]);

/** OAuth token endpoint errors: the service's own sign-in to the org failed. */
const OAUTH_ERRORS = new Set([
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'invalid_client_credentials',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_request',
  'invalid_scope',
  'invalid_app_access',
  'inactive_user',
  'inactive_org',
  'rate_limit_exceeded',
]);

/** Lookup failures: the record points at something that is gone or out of reach. */
const LOOKUP_CODES = new Set([
  'INVALID_CROSS_REFERENCE_KEY',
  'ENTITY_IS_DELETED',
  'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
  'FIELD_INTEGRITY_EXCEPTION',
  'FIELD_FILTER_VALIDATION_EXCEPTION',
  'MALFORMED_ID',
]);
/** These often come without `fields` (a deleted record is "entity is deleted: []"). */
const UNNAMED_LOOKUP_CODES = new Set([
  'INVALID_CROSS_REFERENCE_KEY',
  'ENTITY_IS_DELETED',
  'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
]);

const MAX_MESSAGE = 1000;
const MAX_FIELDS = 20;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  errorCode?: unknown;
  code?: unknown;
  data?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function detailOf(value: unknown): RecordErrorDetail | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { errorCode?: unknown; message?: unknown; fields?: unknown };
  if (typeof v.errorCode !== 'string') return undefined;
  return {
    errorCode: v.errorCode,
    message: text(v.message),
    fields: Array.isArray(v.fields)
      ? v.fields.filter((f): f is string => typeof f === 'string').slice(0, MAX_FIELDS)
      : [],
  };
}

function classifyDetail(detail: RecordErrorDetail, hasFields: boolean): ErrorScope {
  if (ORG_CODES.has(detail.errorCode) || /^ERROR_HTTP_/.test(detail.errorCode)) return 'org';
  // Salesforce lists `fields` (possibly empty) on errors about a record's values; API-level errors have none.
  return RECORD_CODES.has(detail.errorCode) || hasFields ? 'record' : 'org';
}

function hasFieldsArray(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { fields?: unknown }).fields);
}

function result(scope: ErrorScope, code: string, message: string, fields: string[] = []): ClassifiedError {
  return {
    scope,
    code: code.slice(0, 80) || 'UNKNOWN',
    fields,
    message: (message || 'no detail').slice(0, MAX_MESSAGE),
  };
}

/** Whether a failed write is the org's or the record's. Anything not recognised counts as the org's: its records then
 * wait as they always did, rather than being parked for a reason nobody has looked at. */
export function classifySalesforceError(err: unknown): ClassifiedError {
  if (err instanceof RecordRefusedError) {
    const first = err.errors[0];
    return result(
      'record',
      first?.errorCode ?? 'UNKNOWN',
      err.errors.map((e) => e.message).join('; '),
      first?.fields ?? [],
    );
  }
  if (typeof err !== 'object' || err === null) return result('org', 'UNKNOWN', String(err));
  const e = err as ErrorLike;
  const message = text(e.message);
  const name = text(e.name);
  const errorCode = text(e.errorCode);

  if (errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(e.data)) {
    const details = e.data.map((d) => ({ detail: detailOf(d), hasFields: hasFieldsArray(d) }));
    const known = details.filter((d): d is { detail: RecordErrorDetail; hasFields: boolean } => d.detail !== undefined);
    const first = known[0]?.detail;
    const allRecord =
      known.length > 0 &&
      known.length === details.length &&
      known.every((d) => classifyDetail(d.detail, d.hasFields) === 'record');
    const joined = known.map((d) => `${d.detail.errorCode}: ${d.detail.message}`).join('; ');
    const fields = [...new Set(known.flatMap((d) => d.detail.fields))].slice(0, MAX_FIELDS);
    return result(allRecord ? 'record' : 'org', first?.errorCode ?? errorCode, joined || message, fields);
  }
  if (errorCode) {
    const detail = detailOf(e.data) ?? { errorCode, message, fields: [] };
    return result(classifyDetail(detail, hasFieldsArray(e.data)), errorCode, message, detail.fields);
  }
  // Token endpoint refusals, failed re-authentication, network errors and deadlines: all the org's.
  if (OAUTH_ERRORS.has(name) || /^ERROR_HTTP_/.test(name)) return result('org', name, message);
  if (message.startsWith('Unable to refresh session')) return result('org', 'REFRESH_FAILED', message);
  const nodeCode = text(e.code);
  if (name === 'FetchError' || name === 'AbortError' || nodeCode) return result('org', nodeCode || name, message);
  return result('org', name && name !== 'Error' ? name : 'UNKNOWN', message);
}

/** The optional lookups to leave out so the record can still be written, when Salesforce refused one of them
 * (a merged or deleted contact, a user from elsewhere). Fields Salesforce named come first; a lookup error that names
 * no field (Salesforce often leaves `fields` empty for a deleted record) drops the first lookup still set, in the
 * order given (most likely culprit first). Empty when the failure is not about a lookup. */
export function lookupsToOmit(
  failure: ClassifiedError,
  payload: Record<string, unknown>,
  lookups: readonly string[],
): string[] {
  if (failure.scope !== 'record' || !LOOKUP_CODES.has(failure.code)) return [];
  const set = lookups.filter((field) => payload[field] !== null && payload[field] !== undefined);
  const named = set.filter((field) => failure.fields.includes(field) || failure.message.includes(field));
  if (named.length > 0) return named;
  if (failure.fields.length === 0 && UNNAMED_LOOKUP_CODES.has(failure.code)) return set.slice(0, 1);
  return [];
}
