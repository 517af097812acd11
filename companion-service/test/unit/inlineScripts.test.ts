import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { allowScripts, inlineScriptHashes, PagesWithScripts } from '../../src/web/inlineScripts';

/* A page with its scripts written into it (the console's first script) and the policy that lets exactly those run. */

const hashOf = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

describe('inlineScriptHashes', () => {
  it('hashes each inline script as the browser does (its text between the tags, byte for byte)', () => {
    const html = '<head><script>var a = "é";</script><script src="/x.js"></script></head><script>\nb()\n</script>';
    expect(inlineScriptHashes(html)).toEqual([hashOf('var a = "é";'), hashOf('\nb()\n')]);
  });

  it('finds none in a page that only loads scripts from files', () => {
    expect(inlineScriptHashes('<script src="/console/console.js" defer></script>')).toEqual([]);
  });
});

describe('allowScripts', () => {
  const policy = "default-src 'self';script-src 'self' 'wasm-unsafe-eval';style-src 'self'";

  it('adds the hashes to script-src and changes nothing else', () => {
    expect(allowScripts(policy, ["'sha256-A'", "'sha256-B'"])).toBe(
      "default-src 'self';script-src 'self' 'wasm-unsafe-eval' 'sha256-A' 'sha256-B';style-src 'self'",
    );
  });

  it('leaves a policy alone when the page has no inline script', () => {
    expect(allowScripts(policy, [])).toBe(policy);
  });

  it('refuses a policy without script-src: a script-src of hashes alone would be stricter than default-src meant', () => {
    expect(() => allowScripts("default-src 'self'", ["'sha256-A'"])).toThrow(/script-src/);
    // Not fooled by a directive whose name only starts the same.
    expect(() => allowScripts("script-src-attr 'none'", ["'sha256-A'"])).toThrow(/script-src/);
  });
});

describe('PagesWithScripts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tandem-pages-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a page again once a new build replaced it, so the policy always fits the page sent', async () => {
    const file = path.join(dir, 'index.html');
    const pages = new PagesWithScripts();
    writeFileSync(file, '<script>first()</script>');
    const first = await pages.read(file);
    expect(first.scriptHashes).toEqual([hashOf('first()')]);
    expect(await pages.read(file)).toBe(first);

    writeFileSync(file, '<script>second()</script>');
    // A build that wrote the file within the same millisecond and size is told apart by its time set later.
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const second = await pages.read(file);
    expect(second.scriptHashes).toEqual([hashOf('second()')]);
    expect(second.body.toString('utf8')).toBe('<script>second()</script>');
  });

  it('keeps compressed copies of exactly the page it hashed', async () => {
    const file = path.join(dir, 'index.html');
    const html = `<script>go()</script>${'<p>text</p>'.repeat(200)}`;
    writeFileSync(file, html);
    const page = await new PagesWithScripts().read(file);
    expect(brotliDecompressSync(page.encoded.br).toString('utf8')).toBe(html);
    expect(gunzipSync(page.encoded.gzip).toString('utf8')).toBe(html);
    expect(page.encoded.br.length).toBeLessThan(page.body.length);
  });
});
