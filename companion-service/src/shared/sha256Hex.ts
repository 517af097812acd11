import { createHash } from 'node:crypto';

/** The SHA-256 of a text (UTF-8) in hex: API keys are stored and compared as this, terms texts are recorded as this. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
