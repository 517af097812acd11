import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/paths';
import { checkApexTestShape, type ApexSource } from '../helpers/apexTestShape';

/* What an org's test run needs that the compiler doesn't check (see helpers/apexTestShape.ts): callout mocks set
 * after DML only inside Test.startTest(), tests that never stop early, and a test calling every public method. */

const classesDir = path.join(repoRoot, 'force-app', 'main', 'default', 'classes');
const sources: ApexSource[] = readdirSync(classesDir)
  .filter((f) => f.endsWith('.cls'))
  .map((f) => ({ file: f, source: readFileSync(path.join(classesDir, f), 'utf8') }));
const withChanged = (file: string, change: (s: string) => string): ApexSource[] =>
  sources.map((s) => {
    if (s.file !== file) return s;
    const source = change(s.source);
    if (source === s.source) throw new Error(`the change to ${file} changed nothing`);
    return { file, source };
  });

describe('Apex test shape', () => {
  it('force-app passes every check', () => {
    expect(checkApexTestShape(sources)).toEqual([]);
  });

  it('refuses Test.setMock after DML without Test.startTest() first (the org fails it with uncommitted work pending)', () => {
    const changed = withChanged('TandemControllerTest.cls', (s) =>
      s.replace(
        "Contact c = contactOwnedByRunningUser();\n            Test.startTest();\n            Test.setMock(HttpCalloutMock.class, TandemCalloutMock.serviceError(409, 'visitor_offline'));",
        "Contact c = contactOwnedByRunningUser();\n            Test.setMock(HttpCalloutMock.class, TandemCalloutMock.serviceError(409, 'visitor_offline'));\n            Test.startTest();",
      ),
    );
    expect(checkApexTestShape(changed)).toEqual([
      expect.objectContaining({
        file: 'TandemControllerTest.cls',
        rule: 'mock-after-dml',
        message: expect.stringContaining('startSessionExplainsAnOfflineCustomer'),
      }),
    ]);
  });

  it('counts Database DML methods as DML, and only DML before Test.startTest()', () => {
    const direct = withChanged('TandemServiceTest.cls', (s) =>
      s.replace(
        'static void postSendsJsonThroughTheNamedCredentialAndReadsTheAnswer() {\n',
        "static void postSendsJsonThroughTheNamedCredentialAndReadsTheAnswer() {\n        Database.insert(new Contact(LastName = 'x'));\n",
      ),
    );
    expect(checkApexTestShape(direct).map((f) => f.rule)).toEqual([]);
    const moved = withChanged('TandemServiceTest.cls', (s) =>
      s.replace(
        'static void postSendsJsonThroughTheNamedCredentialAndReadsTheAnswer() {\n        Test.startTest();\n        Test.setMock(',
        "static void postSendsJsonThroughTheNamedCredentialAndReadsTheAnswer() {\n        Database.insert(new Contact(LastName = 'x'));\n        Test.setMock(",
      ),
    );
    expect(checkApexTestShape(moved).map((f) => f.rule)).toEqual(['mock-after-dml']);
  });

  it('refuses a test that returns early (e.g. when the org lacks a licence)', () => {
    const changed = withChanged('TandemPortalControllerTest.cls', (s) =>
      s.replace(
        '        Contact c = customer();\n        Test.startTest();\n        // Stands in',
        '        Contact c = customer();\n        if (c == null) {\n            return;\n        }\n        Test.startTest();\n        // Stands in',
      ),
    );
    expect(checkApexTestShape(changed)).toEqual([
      expect.objectContaining({
        rule: 'early-return',
        message: expect.stringContaining('portalUsersGetATokenForTheirOwnContact'),
      }),
    ]);
  });

  it('refuses a public method no test calls', () => {
    const changed = withChanged('TandemService.cls', (s) =>
      s.replace(
        '    /** The value under key as text, or null. */',
        '    public static String unused(String a) {\n        return a;\n    }\n\n    /** The value under key as text, or null. */',
      ),
    );
    expect(checkApexTestShape(changed)).toEqual([
      expect.objectContaining({
        file: 'TandemService.cls',
        rule: 'untested-method',
        message: 'TandemService.unused is public but no test calls it',
      }),
    ]);
  });
});
