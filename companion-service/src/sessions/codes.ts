/** Session codes: random digits, unique among live sessions. `randomDigit` is injected so tests are deterministic;
 * the service passes crypto.randomInt. */
export function generateCode(
  length: number,
  isTaken: (code: string) => boolean,
  randomDigit: () => number,
  maxAttempts = 100,
): string {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    let code = '';
    for (let i = 0; i < length; i++) code += String(randomDigit());
    if (!isTaken(code)) return code;
  }
  // Only reachable when nearly every code of this length is live: a configuration problem, not bad luck.
  throw new Error(`no free session code of length ${length} after ${maxAttempts} attempts`);
}
