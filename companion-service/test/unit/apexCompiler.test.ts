import { repoRoot } from '../../src/paths';
import { apexLanguageServerIssues, scratchProject } from '../helpers/apexTools';

/* The Apex compiler's checks, offline: apex-ls type-checks all of force-app the way an org compiles it on deploy.
 * A parse is not enough: a call to a method that doesn't exist, or a local that hides a static field, parses fine
 * and fails the deploy (or, worse, deploys and silently does the wrong thing). Any error or warning fails. */

jest.setTimeout(120_000);

const CONTROLLER = 'force-app/main/default/classes/TandemController.cls';
const SERVICE_TEST = 'force-app/main/default/classes/TandemServiceTest.cls';

describe('Apex semantic check (apex-ls)', () => {
  it('finds no error or warning in force-app', () => {
    expect(apexLanguageServerIssues(repoRoot)).toEqual([]);
  });

  it('catches what an org refuses: a method Apex does not have, and a local hiding a static field', () => {
    const scratch = scratchProject();
    try {
      // The defects this check was added for, put back: HttpRequest has setTimeout but no getTimeout, and a local
      // `privileges` (Apex names ignore case) hid the static PRIVILEGES so the loop ran over an empty list.
      scratch.edit(SERVICE_TEST, (s) =>
        s.replace(
          "Assert.areEqual('POST', sent.getMethod(), 'a POST');",
          "Assert.areEqual(10000, sent.getTimeout(), 'timeout');",
        ),
      );
      scratch.edit(CONTROLLER, (s) =>
        s
          .replace('List<String> granted = new List<String>();', 'List<String> privileges = new List<String>();')
          .replace("'privileges' => granted", "'privileges' => privileges")
          .replace('granted.add(permission);', 'privileges.add(permission);'),
      );
      const issues = apexLanguageServerIssues(scratch.root);
      expect(issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            file: SERVICE_TEST,
            category: 'Missing',
            message: expect.stringContaining("No matching method found for 'getTimeout'"),
          }),
          expect.objectContaining({
            file: CONTROLLER,
            category: 'Warning',
            message: expect.stringContaining("hiding class field 'privileges'"),
          }),
        ]),
      );
    } finally {
      scratch.remove();
    }
  });

  it('catches a field the SObject does not have', () => {
    const scratch = scratchProject();
    try {
      scratch.edit(CONTROLLER, (s) =>
        s.replace('return String.valueOf(visible[0].Id);', 'return String.valueOf(visible[0].Portal_Nickname__c);'),
      );
      expect(apexLanguageServerIssues(scratch.root)).toEqual([
        expect.objectContaining({ file: CONTROLLER, message: expect.stringContaining('Portal_Nickname__c') }),
      ]);
    } finally {
      scratch.remove();
    }
  });
});
