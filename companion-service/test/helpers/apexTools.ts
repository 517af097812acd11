import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/paths';

/* The Apex tools that run offline, from the jars @salesforce/code-analyzer-pmd-engine ships (Java 17 runs them):
 * Apex Dev Tools' apex-ls, which type-checks a whole sfdx project as the org's compiler would (unknown methods,
 * wrong types, hidden fields, unknown SObject fields), and PMD with its Apex rules. */

const javaLib = path.join(
  path.dirname(require.resolve('@salesforce/code-analyzer-pmd-engine/package.json')),
  'dist',
  'java-lib',
);
const classpath = path.join(javaLib, '*');

export const PMD_RULESET = path.join(repoRoot, 'config', 'pmd-apex-ruleset.xml');

export interface ApexIssue {
  file: string;
  line: number;
  /** apex-ls's category, e.g. Error, Missing, Syntax, Warning, Unused. */
  category: string;
  message: string;
}

/** apex-ls's check of the sfdx project at root (its sfdx-project.json and package directories), with warnings. */
export function apexLanguageServerIssues(root: string): ApexIssue[] {
  const run = spawnSync(
    'java',
    [
      '-cp',
      classpath,
      'io.github.apexdevtools.apexls.CheckForIssues',
      '-n',
      '-d',
      'warnings',
      '-f',
      'json',
      '-w',
      root,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (run.error) throw run.error;
  // Exit 0: no issues; 4: issues reported. Anything else is the tool failing, which must not pass for "clean".
  if (run.status !== 0 && run.status !== 4) throw new Error(`apex-ls exited ${run.status}: ${run.stderr}${run.stdout}`);
  const report = JSON.parse(run.stdout || '{"files":[]}') as {
    files: Array<{ path: string; messages: Array<{ start: { line: number }; category: string; message: string }> }>;
  };
  return report.files.flatMap((f) =>
    f.messages.map((m) => ({
      file: path.relative(root, f.path),
      line: m.start.line,
      category: m.category,
      message: m.message,
    })),
  );
}

export interface PmdViolation {
  rule: string;
  file: string;
  line: number;
  message: string;
}

/** PMD's Apex rules from ruleset over files, through the wrapper class the code-analyzer package itself calls. */
export function pmdViolations(
  files: string[],
  ruleset: string = PMD_RULESET,
): { violations: PmdViolation[]; errors: string[] } {
  const work = mkdtempSync(path.join(tmpdir(), 'tandem-pmd-'));
  try {
    const input = path.join(work, 'input.json');
    const output = path.join(work, 'results.json');
    writeFileSync(
      input,
      JSON.stringify({ ruleSetInputFile: ruleset, runDataPerLanguage: { apex: { filesToScan: files } } }),
    );
    execFileSync('java', ['-cp', classpath, 'com.salesforce.sfca.pmdwrapper.PmdWrapper', 'run', input, output], {
      stdio: 'pipe',
      maxBuffer: 16 * 1024 * 1024,
    });
    const results = JSON.parse(readFileSync(output, 'utf8')) as {
      violations: Array<{ rule: string; message: string; codeLocation: { file: string; startLine: number } }>;
      processingErrors: Array<{ file: string; message: string }>;
    };
    return {
      violations: results.violations.map((v) => ({
        rule: v.rule,
        file: v.codeLocation.file,
        line: v.codeLocation.startLine,
        message: v.message,
      })),
      errors: results.processingErrors.map((e) => `${e.file}: ${e.message}`),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A throwaway copy of the sfdx project (sfdx-project.json and force-app) to put a defect into. */
export function scratchProject(): {
  root: string;
  file: (relative: string) => string;
  edit: (relative: string, change: (source: string) => string) => void;
  remove: () => void;
} {
  const root = mkdtempSync(path.join(tmpdir(), 'tandem-sfdx-'));
  cpSync(path.join(repoRoot, 'sfdx-project.json'), path.join(root, 'sfdx-project.json'));
  cpSync(path.join(repoRoot, 'force-app', 'main'), path.join(root, 'force-app', 'main'), { recursive: true });
  const file = (relative: string) => path.join(root, relative);
  return {
    root,
    file,
    edit: (relative, change) => {
      const before = readFileSync(file(relative), 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`the edit of ${relative} changed nothing`);
      writeFileSync(file(relative), after);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
