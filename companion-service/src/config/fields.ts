import { Type } from '@sinclair/typebox';

/* Setting shapes used in more than one block of the configuration. */

/** A site's id, as visitor tokens name it. Never contains "/" (tenancy/visitorIdentity.ts relies on it). */
export const SiteId = Type.String({ pattern: '^[a-z0-9-]{1,40}$' });

/** Sites a tenant is linked to: a handful in practice; each costs an agent's watch socket one subscription per
 * visitor it follows. */
export const SiteIdList = Type.Array(SiteId, { maxItems: 20, uniqueItems: true });

/** Origins of web pages, like https://shop.example.com (scheme, host, optional port; no path). The shape only:
 * config/consistency.ts parses each as browsers do and names any it can't. */
export const OriginList = Type.Array(
  Type.String({ minLength: 1, maxLength: 300, pattern: '^[A-Za-z]+://[^\\s/?#,]+$' }),
  {
    maxItems: 50,
    uniqueItems: true,
  },
);
