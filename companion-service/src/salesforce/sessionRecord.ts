import type { EndedSessionSummary } from '../sessions/sessionService';
import type { SalesforceSessionLink, TermsAcceptanceRecord } from '../store/store';
import { parseVisitorKey } from '../tenancy/visitorIdentity';

/** The custom object the package defines for session records, and its external id field. */
export const SESSION_SOBJECT = 'Tandem_Session__c';
export const SESSION_EXTERNAL_ID = 'External_Id__c';

const CONTACT_ID = /^003[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;
const USER_ID = /^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;

/** Guests__c is a long text area; names are short, but a session may have had many guests come and go. */
const GUESTS_MAX = 32000;

/** The logged-in visitor's Contact id, when they were a visitor of one of the org's sites: another site's visitor
 * id names no contact of this org. */
function contactOf(visitorKey: string | undefined, orgSiteIds: readonly string[]): string | null {
  const visitor = visitorKey === undefined ? undefined : parseVisitorKey(visitorKey);
  if (!visitor || !orgSiteIds.includes(visitor.siteId)) return null;
  return CONTACT_ID.test(visitor.visitorId) ? visitor.visitorId : null;
}

/** Field values for Tandem_Session__c, keyed by the session id so a retried upsert never makes a second record. */
export function sessionRecordFields(
  summary: EndedSessionSummary,
  link: SalesforceSessionLink | undefined,
  terms: TermsAcceptanceRecord | undefined,
  orgSiteIds: readonly string[],
): Record<string, unknown> {
  const contact = link?.contactId ?? contactOf(summary.visitorId, orgSiteIds);
  const agent = summary.agentId && USER_ID.test(summary.agentId) ? summary.agentId : (link?.agentUserId ?? null);
  return {
    [SESSION_EXTERNAL_ID]: summary.sessionId,
    Contact__c: contact,
    Agent__c: agent,
    Session_Code__c: summary.code,
    Started_At__c: new Date(summary.startedAt).toISOString(),
    Ended_At__c: new Date(summary.endedAt).toISOString(),
    Outcome__c: summary.outcome.slice(0, 40),
    Terms_Version__c: terms?.termsVersion ?? null,
    Terms_Accepted_At__c: terms ? new Date(terms.acceptedAt).toISOString() : null,
    Guests__c: summary.guestNames.length ? summary.guestNames.join('\n').slice(0, GUESTS_MAX) : null,
    Guest_Count__c: summary.guestNames.length,
  };
}
