import { Privilege } from '../protocol/codes';

/** The custom permission that makes someone a Tandem agent (granted by the Tandem_Agent permission set). */
export const JOIN_PERMISSION = 'Tandem_Join';
/** Every custom permission the package defines that the service cares about. */
export const TANDEM_PERMISSIONS: readonly string[] = [JOIN_PERMISSION, ...Object.values(Privilege)];

const SF_ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;

export type SoqlQuery = <T>(soql: string) => Promise<T[]>;

/** The package's custom permissions a user holds through any permission set, permission set group or profile
 * (a profile's permissions live in a permission set it owns, assigned to the user). Two queries, because SOQL does
 * not allow a semi-join inside a semi-join. */
export async function tandemPermissionsOf(query: SoqlQuery, userId: string): Promise<Set<string>> {
  if (!SF_ID.test(userId)) throw new Error('not a Salesforce user id');
  const names = TANDEM_PERMISSIONS.map((n) => `'${n}'`).join(', ');
  const permissions = await query<{ Id: string; DeveloperName: string }>(
    `SELECT Id, DeveloperName FROM CustomPermission WHERE DeveloperName IN (${names})`,
  );
  const ids = permissions.map((p) => p.Id).filter((id) => SF_ID.test(id));
  if (ids.length === 0) return new Set();
  const granted = await query<{ SetupEntityId: string }>(
    `SELECT SetupEntityId FROM SetupEntityAccess WHERE SetupEntityId IN (${ids.map((id) => `'${id}'`).join(', ')}) ` +
      `AND ParentId IN (SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '${userId}')`,
  );
  const grantedIds = new Set(granted.map((g) => g.SetupEntityId.slice(0, 15)));
  return new Set(permissions.filter((p) => grantedIds.has(p.Id.slice(0, 15))).map((p) => p.DeveloperName));
}

/** The privileges an agent token carries: the package's custom permissions other than the join permission. */
export function privilegesFrom(names: Iterable<string>): string[] {
  const known = Object.values(Privilege) as string[];
  return [...new Set(names)].filter((n) => known.includes(n)).sort();
}
