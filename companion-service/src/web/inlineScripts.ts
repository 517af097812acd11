import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { brotliCompressSync, gzipSync } from 'node:zlib';

/* A built page whose scripts are written into it (the console's first script: scripts/build-web.mjs), and the
 * Content-Security-Policy that lets exactly those scripts run. The policy is worked out from the file being sent, not
 * from a list made at start-up, so a build swapped in under a running service still gets a policy that fits. */

export interface PageWithScripts {
  body: Buffer;
  /** The same, compressed (made once per version of the file: the build's .br and .gz might be of another build). */
  encoded: { br: Buffer; gzip: Buffer };
  /** CSP source expressions ('sha256-…') of the page's inline scripts, in order. */
  scriptHashes: string[];
}

const INLINE_SCRIPT = /<script>([\s\S]*?)<\/script>/g;

/** The hash sources of a page's inline scripts (a <script> with no attributes). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(INLINE_SCRIPT)].map(
    ([, script = '']) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`,
  );
}

/** The policy with the hashes added to its script-src (which it must have: without it they'd widen default-src). */
export function allowScripts(policy: string, hashes: readonly string[]): string {
  if (hashes.length === 0) return policy;
  const directives = policy.split(';').map((d) => d.trim());
  const index = directives.findIndex((d) => d.split(/\s+/)[0]?.toLowerCase() === 'script-src');
  if (index < 0) throw new Error('the Content-Security-Policy has no script-src to add the page\u2019s scripts to');
  directives[index] = `${directives[index]} ${hashes.join(' ')}`;
  return directives.filter((d) => d !== '').join(';');
}

/** Reads pages once per version of the file (its size and modification time). */
export class PagesWithScripts {
  private readonly cache = new Map<string, { version: string; page: PageWithScripts }>();

  async read(file: string): Promise<PageWithScripts> {
    const info = await stat(file);
    const version = `${info.size}:${info.mtimeMs}`;
    const cached = this.cache.get(file);
    if (cached?.version === version) return cached.page;
    const body = await readFile(file);
    const page = {
      body,
      encoded: { br: brotliCompressSync(body), gzip: gzipSync(body) },
      scriptHashes: inlineScriptHashes(body.toString('utf8')),
    };
    this.cache.set(file, { version, page });
    return page;
  }
}
