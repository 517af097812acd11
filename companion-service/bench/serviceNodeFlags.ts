import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The node flags `npm start` runs the service with (package.json's start script, defined there once), so that the
 * benchmark measures Tandem as it is deployed. */
export function serviceNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const start = pkg.scripts?.start ?? '';
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's start script does not run node: "${start}"`);
  return words.slice(1).filter((word) => word.startsWith('--'));
}
