/** Lowercase hex SHA-256 of the exact terms text the visitor was shown (UTF-8), sent with the acceptance so the
 * server records which text was agreed to. */
export async function termsHash(text: string, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<string> {
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
