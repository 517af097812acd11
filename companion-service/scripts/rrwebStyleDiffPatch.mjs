// An esbuild plugin for the co-browse recorder's build: one line of rrweb's recorder changed as the bundle is made.
//
// To record a change of an element's style attribute, rrweb parses the attribute's old value by setting it as the
// style attribute of a detached element. A page whose Content-Security-Policy does not allow inline styles
// (`style-src` without 'unsafe-inline', or `style-src-attr 'none'`) refuses that: the browser logs a violation and
// sends it to the site's report endpoint for every style change the page makes during a session, so a site that
// watches its reports sees the widget as a violator, and rrweb diffs against an empty old style. rrweb's issue #816,
// open upstream as of @rrweb/record 2.2.2. The old value is parsed through CSSOM (`style.cssText`) instead, which no
// policy governs and which parses the same way (test/e2e/customerPagePolicy.test.ts).
//
// The build fails if that line is not found, or if rrweb's recorder was not loaded from the file this expects, so an
// upgrade of rrweb looks at this again rather than silently losing it.
import { readFile } from 'node:fs/promises';

const RECORDER_FILE = /[\\/]@rrweb[\\/]record[\\/]dist[\\/]record\.js$/;
const PARSE_BY_ATTRIBUTE = 'old.setAttribute("style", m.oldValue);';
const PARSE_BY_CSSOM = 'old.style.cssText = m.oldValue;';

export function rrwebStyleDiffPatch() {
  let patched = false;
  return {
    name: 'rrweb-style-diff-without-inline-style',
    setup(build) {
      build.onLoad({ filter: RECORDER_FILE }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const found = source.split(PARSE_BY_ATTRIBUTE).length - 1;
        if (found !== 1)
          throw new Error(
            `rrwebStyleDiffPatch: expected rrweb's style diff (${PARSE_BY_ATTRIBUTE}) once in ${args.path}, found it ${found} times`,
          );
        patched = true;
        return { contents: source.replace(PARSE_BY_ATTRIBUTE, PARSE_BY_CSSOM), loader: 'js' };
      });
      build.onEnd((result) => {
        if (result.errors.length === 0 && !patched)
          result.errors.push({ text: "rrwebStyleDiffPatch: rrweb's recorder was not bundled from dist/record.js" });
      });
    },
  };
}
