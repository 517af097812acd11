/* Time left to answer a prompt, as shown ("1:05") and as words for assistive technology ("1 minute 5 seconds"). */

export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatWords(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  const parts: string[] = [];
  if (minutes > 0) parts.push(`${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`);
  if (rest > 0 || minutes === 0) parts.push(`${rest} ${rest === 1 ? 'second' : 'seconds'}`);
  return parts.join(' ');
}

/** A deadline on this machine's clock for a server deadline. The two clocks can disagree; a deadline that looks
 * already past or implausibly far away on arrival falls back to `fallbackMs` from now. */
export function localDeadline(serverDeadline: number, now: number, fallbackMs = 60_000, maxMs = 15 * 60_000): number {
  const left = serverDeadline - now;
  return left > 0 && left <= maxMs ? serverDeadline : now + fallbackMs;
}
