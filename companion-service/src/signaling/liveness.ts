/** What the liveness sweep does with one socket when it comes round to it, once per ping interval. Any frame or pong
 * from the client counts as hearing from it, so a socket in use is never pinged: pings are for quiet sockets (at
 * 10,000 busy sockets they were pure overhead, and every round of them delayed the messages behind it).
 *
 * - heard from within the last half interval: nothing to do;
 * - quiet for half an interval or more: ping;
 * - quiet for more than an interval and a half: it was pinged on the previous round and has not answered, so it is
 *   gone (laptop lid closed, network lost): terminate, which starts the participant's grace period.
 *
 * A socket that dies is dropped two to two and a half intervals after it was last heard from (about as soon as when
 * every socket was pinged on every round); a pong may take up to half an interval. */
export type LivenessAction = 'none' | 'ping' | 'terminate';

export function livenessAction(quietMs: number, intervalMs: number): LivenessAction {
  if (quietMs > intervalMs * 1.5) return 'terminate';
  if (quietMs >= intervalMs / 2) return 'ping';
  return 'none';
}
