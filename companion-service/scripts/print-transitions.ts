/* Prints the session transition table as Markdown; with --write, puts it into docs/architecture.md between its
 * markers. Run: npm run docs:transitions [-- --write] */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_BEGIN, TABLE_END, transitionTableMarkdown } from '../src/sessions/transitionsMarkdown';

const table = transitionTableMarkdown();
if (!process.argv.includes('--write')) {
  process.stdout.write(table);
} else {
  const path = join(__dirname, '..', '..', 'docs', 'architecture.md');
  const doc = readFileSync(path, 'utf8');
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`${path} has no ${TABLE_BEGIN} ... ${TABLE_END} markers`);
  writeFileSync(path, doc.slice(0, begin + TABLE_BEGIN.length) + '\n' + table + doc.slice(end));
  process.stdout.write(`wrote the transition table into ${path}\n`);
}
