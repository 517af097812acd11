import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/paths';
import { PMD_RULESET, pmdViolations, scratchProject } from '../helpers/apexTools';

/* PMD's Apex rules (security, error-prone, best practices, performance, design, code style) over every class in
 * force-app. Any violation fails: fix it, or exclude the rule in config/pmd-apex-ruleset.xml with its reason. */

jest.setTimeout(120_000);

const classesDir = path.join(repoRoot, 'force-app', 'main', 'default', 'classes');
const apexFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.cls'))
    .map((f) => path.join(dir, f));

describe("PMD's Apex rules", () => {
  it('find no violation in force-app', () => {
    const { violations, errors } = pmdViolations(apexFiles(classesDir));
    expect(errors).toEqual([]);
    expect(violations.map((v) => `${path.basename(v.file)}:${v.line} ${v.rule}: ${v.message}`)).toEqual([]);
  });

  it('every rule the ruleset leaves out says why', () => {
    const ruleset = readFileSync(PMD_RULESET, 'utf8');
    const excludes = [...ruleset.matchAll(/<exclude name="(\w+)"/g)].map((m) => m[1]);
    for (const rule of excludes) {
      const before = ruleset.slice(0, ruleset.indexOf(`<exclude name="${rule}"`));
      const comment = before.slice(before.lastIndexOf('<!--'));
      expect({ rule, reasoned: comment.includes('-->') && comment.length > 60 }).toEqual({ rule, reasoned: true });
    }
  });

  it('catch what they are there for: a class without sharing, SOQL built from input, a swallowed exception', () => {
    const scratch = scratchProject();
    try {
      const controller = 'force-app/main/default/classes/TandemController.cls';
      scratch.edit(controller, (s) =>
        s
          .replace('public with sharing class TandemController', 'public class TandemController')
          .replace(
            "String key = sessionKey == null ? '' : sessionKey.deleteWhitespace();",
            "String key = sessionKey == null ? '' : sessionKey.deleteWhitespace();\n            Database.query('SELECT Id FROM Contact WHERE LastName = \\'' + sessionKey + '\\'');",
          )
          .replace(
            '} catch (TandemService.ServiceException e) {\n            connection.problem = e.getMessage();\n            connection.retryable = e.retryable;\n        }',
            '} catch (TandemService.ServiceException e) {\n        }',
          ),
      );
      const rules = new Set(
        pmdViolations(apexFiles(path.join(scratch.root, 'force-app', 'main', 'default', 'classes'))).violations.map(
          (v) => v.rule,
        ),
      );
      expect([...rules]).toEqual(
        expect.arrayContaining(['ApexSharingViolations', 'ApexSOQLInjection', 'EmptyCatchBlock']),
      );
    } finally {
      scratch.remove();
    }
  });
});
