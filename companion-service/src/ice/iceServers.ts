import { createHmac } from 'node:crypto';
import type { Config } from '../config/schema';
import type { IceServer } from '../protocol/messages';

/** ICE servers for one participant: the configured ones plus, when a TURN shared secret is set, short-lived TURN
 * credentials in the coturn REST format (username `expiry:id`, password base64 HMAC-SHA1 of the username). */
export function iceServersFor(participantId: string, ice: Config['ice'], nowMs: number): IceServer[] {
  const servers: IceServer[] = ice.servers.map((s) => ({ ...s }));
  if (mintsTurnCredentials(ice)) {
    const expiry = Math.floor(nowMs / 1000) + ice.turnTtlSeconds;
    const username = `${expiry}:${participantId}`;
    const credential = createHmac('sha1', ice.turnSecret).update(username).digest('base64');
    servers.push({ urls: [...ice.turnUrls], username, credential });
  }
  return servers;
}

/** Whether the service mints TURN credentials, which expire: connections made later get fresh ones. */
export function mintsTurnCredentials(ice: Config['ice']): boolean {
  return Boolean(ice.turnSecret) && ice.turnUrls.length > 0;
}
