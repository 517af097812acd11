/** Org ids come as 15 or 18 characters; the first 15 identify the org (case-sensitive). */
export function orgKey(orgId: string): string {
  return orgId.slice(0, 15);
}
