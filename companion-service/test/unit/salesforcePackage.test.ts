import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ComponentSet, MetadataConverter, type SourceComponent } from '@salesforce/source-deploy-retrieve';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { repoRoot } from '../../src/paths';
import { Privilege } from '../../src/protocol/codes';

/* Offline validation of the Salesforce package, part of `npm test`: every Apex class and trigger parses
 * (prettier-plugin-apex, the same parser Salesforce tooling formats with), every metadata file is well-formed XML
 * whose root element is its type, the whole of force-app converts with source-deploy-retrieve (unknown types or
 * broken decomposed metadata fail), and the package's parts reference each other consistently. */

jest.setTimeout(60_000);

const forceApp = path.join(repoRoot, 'force-app');
const main = path.join(forceApp, 'main', 'default');
const parseApexScript = path.join(forceApp, 'test', 'parse-apex.mjs');
const project = JSON.parse(readFileSync(path.join(repoRoot, 'sfdx-project.json'), 'utf8')) as {
  packageDirectories: Array<{ path: string; package?: string; versionNumber?: string }>;
  sourceApiVersion: string;
};
const xml = new XMLParser({
  ignoreAttributes: false,
  isArray: (_name, jpath) =>
    /\.(classAccesses|customPermissions|fieldPermissions|externalCredentialPrincipalAccesses|externalCredentialParameters|namedCredentialParameters|flexiPageRegions|itemInstances|targets\.target|objects\.object)$/.test(
      String(jpath),
    ),
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}
const files = walk(forceApp).filter(
  (f) => !f.includes(`${path.sep}__tests__${path.sep}`) && !f.startsWith(path.join(forceApp, 'test')),
);
const rel = (f: string) => path.relative(repoRoot, f);
const read = (f: string) => readFileSync(f, 'utf8');
const parse = (f: string) => xml.parse(read(f)) as Record<string, Record<string, unknown>>;

/** prettier-plugin-apex is an ES module, so it runs in a child process: [{ file, ok, error? }] per source. */
function parseApex(filesOrSource: string[] | { source: string }): Array<{ file: string; ok: boolean; error?: string }> {
  const args = Array.isArray(filesOrSource) ? filesOrSource : ['-'];
  const input = Array.isArray(filesOrSource) ? undefined : filesOrSource.source;
  const out = execFileSync(process.execPath, [parseApexScript, ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out) as Array<{ file: string; ok: boolean; error?: string }>;
}

describe('Salesforce package: project', () => {
  it('declares force-app as an unlocked-package directory with a current API version', () => {
    const dir = project.packageDirectories.find((d) => d.path === 'force-app');
    expect(dir).toMatchObject({ package: 'Tandem', versionNumber: expect.stringMatching(/^\d+\.\d+\.\d+\.NEXT$/) });
    expect(Number(project.sourceApiVersion)).toBeGreaterThanOrEqual(62);
  });
});

describe('Salesforce package: lint and format', () => {
  const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
  const run = (name: string, args: string[]) => {
    try {
      return { ok: true, output: execFileSync(bin(name), args, { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' }) };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  };

  it('passes ESLint with the Salesforce LWC rules', () => {
    const result = run('eslint', ['force-app']);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('is formatted with Prettier (Apex and XML plugins included)', () => {
    const result = run('prettier', ['--check', 'force-app/**/*.{cls,trigger,js,html,css,xml}']);
    expect(result.ok ? '' : result.output).toBe('');
  });
});

describe('Salesforce package: Apex', () => {
  const apex = files.filter((f) => f.endsWith('.cls') || f.endsWith('.trigger'));

  it('has the classes the component and the portal call, with tests', () => {
    const names = apex.map((f) => path.basename(f));
    expect(names).toEqual(
      expect.arrayContaining([
        'TandemController.cls',
        'TandemPortalController.cls',
        'TandemService.cls',
        'TandemControllerTest.cls',
        'TandemPortalControllerTest.cls',
        'TandemServiceTest.cls',
        'TandemCalloutMock.cls',
      ]),
    );
  });

  const parsed = new Map(parseApex(apex).map((r) => [r.file, r]));

  it.each(apex.map((f) => [rel(f), f]))('%s parses', (_name, file) => {
    const result = parsed.get(file);
    expect(result?.error).toBeUndefined();
    expect(result?.ok).toBe(true);
  });

  it('the parser really refuses broken Apex', () => {
    expect(parseApex({ source: 'public class Broken { void x( { }' })[0]).toMatchObject({
      ok: false,
      error: expect.stringContaining("'{'"),
    });
    expect(parseApex({ source: 'public class Fine { void x() {} }' })[0]).toMatchObject({ ok: true });
  });

  it.each(apex.map((f) => [rel(f), f]))('%s has its -meta.xml at the project API version', (_name, file) => {
    const meta = parse(`${file}-meta.xml`);
    const root = meta.ApexClass ?? meta.ApexTrigger;
    expect(root).toBeDefined();
    expect(Number(root!.apiVersion)).toBe(Number(project.sourceApiVersion));
    expect(root!.status).toBe('Active');
  });

  it('keeps secrets out of Apex: callouts go through the Named Credential only', () => {
    for (const file of apex.filter((f) => !/@IsTest/i.test(read(f)))) {
      const source = read(file);
      expect(source).not.toMatch(/https?:\/\//i);
      expect(source).not.toMatch(/x-tandem-api-key/i);
    }
    expect(read(path.join(main, 'classes', 'TandemService.cls'))).toContain("'callout:Tandem_Companion'");
  });

  it("is permission-checked and shares the service's privilege names", () => {
    const controller = read(path.join(main, 'classes', 'TandemController.cls'));
    expect(controller).toMatch(/public with sharing class TandemController/);
    expect(controller).toContain('FeatureManagement.checkPermission');
    for (const privilege of Object.values(Privilege)) expect(controller).toContain(`'${privilege}'`);
  });
});

describe('Salesforce package: metadata files', () => {
  const metaFiles = files.filter((f) => f.endsWith('.xml'));

  it.each(metaFiles.map((f) => [rel(f), f]))('%s is well-formed XML', (_name, file) => {
    expect(XMLValidator.validate(read(file))).toBe(true);
  });

  it('the XML check really refuses broken XML', () => {
    expect(XMLValidator.validate('<PermissionSet><label>x</PermissionSet>')).not.toBe(true);
  });
});

describe('Salesforce package: source-deploy-retrieve conversion', () => {
  let components: SourceComponent[];
  let outDir: string;

  beforeAll(async () => {
    const set = ComponentSet.fromSource(forceApp);
    components = set.getSourceComponents().toArray();
    outDir = mkdtempSync(path.join(tmpdir(), 'tandem-mdapi-'));
    await new MetadataConverter().convert(set, 'metadata', {
      type: 'directory',
      outputDirectory: outDir,
      genUniqueDir: false,
    });
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('finds every part of the package, and nothing from tests', () => {
    const byType = (type: string) =>
      components
        .filter((c) => c.type.name === type)
        .map((c) => c.fullName)
        .sort();
    expect(byType('ApexClass')).toEqual([
      'TandemCalloutMock',
      'TandemController',
      'TandemControllerTest',
      'TandemPortalController',
      'TandemPortalControllerTest',
      'TandemService',
      'TandemServiceTest',
    ]);
    expect(byType('LightningComponentBundle')).toEqual(['tandemJoin', 'tandemPortalIdentity']);
    expect(byType('CustomPermission')).toEqual([
      'Tandem_Agent_Video',
      'Tandem_Join',
      'Tandem_Remote_Control',
      'Tandem_Screen_Share',
    ]);
    expect(byType('PermissionSet')).toEqual(expect.arrayContaining(['Tandem_Admin', 'Tandem_Agent']));
    expect(byType('NamedCredential')).toEqual(['Tandem_Companion']);
    expect(byType('ExternalCredential')).toEqual(['Tandem_Companion']);
    expect(byType('CspTrustedSite')).toHaveLength(2);
    expect(byType('CustomObject')).toEqual(['Tandem_Session__c']);
    expect(byType('FlexiPage')).toEqual(['Tandem_Contact_Record_Page']);
    const walked = components.flatMap((c) => [...c.walkContent(), c.xml ?? '']);
    expect(walked.filter((f) => f.includes('__tests__'))).toEqual([]);
  });

  it('writes a deployable metadata directory whose manifest lists every type', () => {
    const manifest = read(path.join(outDir, 'package.xml'));
    for (const type of [
      'ApexClass',
      'LightningComponentBundle',
      'CustomObject',
      'CustomField',
      'CompactLayout',
      'Layout',
      'CustomPermission',
      'PermissionSet',
      'NamedCredential',
      'ExternalCredential',
      'CspTrustedSite',
      'FlexiPage',
      'CustomTab',
    ]) {
      expect(manifest).toContain(`<name>${type}</name>`);
    }
    expect(manifest).toContain(`<version>${project.sourceApiVersion}</version>`);
    // The object is recomposed from its field files into one file.
    const object = read(path.join(outDir, 'objects', 'Tandem_Session__c.object'));
    expect(object).toContain('<fullName>External_Id__c</fullName>');
    expect(readdirSync(path.join(outDir, 'lwc', 'tandemJoin')).sort()).toEqual([
      'presenceSchedule.js',
      'tandemJoin.css',
      'tandemJoin.html',
      'tandemJoin.js',
      'tandemJoin.js-meta.xml',
    ]);
    expect(readdirSync(path.join(outDir, 'layouts'))).toEqual(['Tandem_Session__c-Tandem Session Layout.layout']);
  });

  it("names each file's root element after its metadata type", () => {
    for (const component of components) {
      for (const file of [component.xml, ...component.getChildren().map((c) => c.xml)]) {
        if (!file) continue;
        const root = Object.keys(parse(file)).find((k) => k !== '?xml');
        expect({ file: rel(file), root }).toEqual({
          file: rel(file),
          root: file === component.xml ? component.type.name : expect.any(String),
        });
      }
    }
  });

  it('refuses what it cannot deploy: an unknown metadata type fails the conversion, broken XML fails the XML check', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'tandem-bad-sfdx-'));
    try {
      const bad = path.join(scratch, 'force-app', 'main', 'default');
      mkdirSync(path.join(bad, 'gizmos'), { recursive: true });
      writeFileSync(
        path.join(bad, 'gizmos', 'Thing.gizmo-meta.xml'),
        '<?xml version="1.0"?><Gizmo xmlns="http://soap.sforce.com/2006/04/metadata"/>',
      );
      expect(() => ComponentSet.fromSource(path.join(scratch, 'force-app')).getSourceComponents().toArray()).toThrow();

      rmSync(path.join(bad, 'gizmos'), { recursive: true });
      mkdirSync(path.join(bad, 'objects', 'Broken__c', 'fields'), { recursive: true });
      writeFileSync(
        path.join(bad, 'objects', 'Broken__c', 'Broken__c.object-meta.xml'),
        '<?xml version="1.0"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>Broken</label></CustomObject>',
      );
      const field = path.join(bad, 'objects', 'Broken__c', 'fields', 'X__c.field-meta.xml');
      writeFileSync(field, '<?xml version="1.0"?><CustomField><fullName>X__c</fullName><label>X</CustomField>');
      // The converter itself is lenient about XML, which is why every file also goes through the validator above.
      expect(XMLValidator.validate(read(field))).not.toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('Salesforce package: references between parts', () => {
  const names = (dir: string, suffix: string) =>
    readdirSync(path.join(main, dir))
      .filter((f) => f.endsWith(suffix))
      .map((f) => f.slice(0, -suffix.length));
  const classes = names('classes', '.cls');
  const customPermissions = names('customPermissions', '.customPermission-meta.xml');
  const fields = names('objects/Tandem_Session__c/fields', '.field-meta.xml').map((f) => `Tandem_Session__c.${f}`);

  it("custom permissions are exactly the join permission plus the service's privileges", () => {
    expect(customPermissions.sort()).toEqual(['Tandem_Join', ...Object.values(Privilege)].sort());
  });

  it('permission sets grant only classes, permissions and fields that exist, and the credential principal', () => {
    const ext = parse(
      path.join(main, 'externalCredentials', 'Tandem_Companion.externalCredential-meta.xml'),
    ).ExternalCredential!;
    const principals = (ext.externalCredentialParameters as Array<Record<string, string>>)
      .filter((p) => p.parameterType === 'NamedPrincipal')
      .map((p) => `Tandem_Companion-${p.parameterName}`);
    for (const file of readdirSync(path.join(main, 'permissionsets'))) {
      const set = parse(path.join(main, 'permissionsets', file)).PermissionSet!;
      for (const c of (set.classAccesses as Array<{ apexClass: string }> | undefined) ?? [])
        expect(classes).toContain(c.apexClass);
      for (const p of (set.customPermissions as Array<{ name: string }> | undefined) ?? [])
        expect(customPermissions).toContain(p.name);
      for (const f of (set.fieldPermissions as Array<{ field: string }> | undefined) ?? [])
        expect(fields).toContain(f.field);
      for (const a of (set.externalCredentialPrincipalAccesses as
        Array<{ externalCredentialPrincipal: string }> | undefined) ?? []) {
        expect(principals).toContain(a.externalCredentialPrincipal);
      }
    }
    const agent = parse(path.join(main, 'permissionsets', 'Tandem_Agent.permissionset-meta.xml')).PermissionSet!;
    expect((agent.customPermissions as Array<{ name: string }>).map((p) => p.name).sort()).toEqual(
      customPermissions.sort(),
    );
    expect(agent.externalCredentialPrincipalAccesses).toHaveLength(1);
  });

  it('the Named Credential uses the External Credential, which sends the API key header from a principal parameter', () => {
    const named = parse(
      path.join(main, 'namedCredentials', 'Tandem_Companion.namedCredential-meta.xml'),
    ).NamedCredential!;
    const params = named.namedCredentialParameters as Array<Record<string, string>>;
    expect(params.find((p) => p.parameterType === 'Authentication')?.externalCredential).toBe('Tandem_Companion');
    expect(params.find((p) => p.parameterType === 'Url')?.parameterValue).toMatch(/^https:\/\//);
    const ext = parse(
      path.join(main, 'externalCredentials', 'Tandem_Companion.externalCredential-meta.xml'),
    ).ExternalCredential!;
    const header = (ext.externalCredentialParameters as Array<Record<string, string>>).find(
      (p) => p.parameterType === 'AuthHeader',
    );
    expect(header?.parameterName?.toLowerCase()).toBe('x-tandem-api-key');
    expect(header?.parameterValue).toBe('{!$Credential.Tandem_Companion.ApiKey}');
  });

  it('the CSP trusted sites allow the service over https and wss', () => {
    const urls = readdirSync(path.join(main, 'cspTrustedSites')).map(
      (f) => parse(path.join(main, 'cspTrustedSites', f)).CspTrustedSite!,
    );
    expect(urls.map((u) => String(u.endpointUrl).split(':')[0]).sort()).toEqual(['https', 'wss']);
    for (const u of urls) expect(u.isApplicableToConnectSrc).toBe(true);
  });

  it('the Contact record page places tandemJoin, which targets Contact record pages', () => {
    const page = read(path.join(main, 'flexipages', 'Tandem_Contact_Record_Page.flexipage-meta.xml'));
    expect(page).toContain('<componentName>tandemJoin</componentName>');
    expect(page).toContain('<sobjectType>Contact</sobjectType>');
    const bundle = parse(path.join(main, 'lwc', 'tandemJoin', 'tandemJoin.js-meta.xml')).LightningComponentBundle!;
    expect(bundle.isExposed).toBe(true);
    expect((bundle.targets as { target: string[] }).target).toEqual(['lightning__RecordPage']);
  });

  it('the session object has an external id for idempotent upserts and every field the service writes', async () => {
    const { sessionRecordFields } = await import('../../src/salesforce/sessionRecord');
    const written = Object.keys(
      sessionRecordFields(
        {
          sessionId: 's',
          code: '1',
          startedAt: 0,
          endedAt: 0,
          outcome: 'x',
          visitorId: undefined,
          agentId: undefined,
          guestNames: [],
        },
        undefined,
        undefined,
        [],
      ),
    );
    for (const field of written) expect(fields).toContain(`Tandem_Session__c.${field}`);
    const externalId = parse(
      path.join(main, 'objects', 'Tandem_Session__c', 'fields', 'External_Id__c.field-meta.xml'),
    ).CustomField!;
    expect(externalId).toMatchObject({ externalId: true, unique: true });
  });

  it('what an admin sees of a session record: a layout and a compact layout of fields that exist, every field placed', () => {
    const standard = ['Name', 'OwnerId', 'CreatedById', 'LastModifiedById'];
    const own = fields.map((f) => f.split('.')[1]);
    const layout = parse(path.join(main, 'layouts', 'Tandem_Session__c-Tandem Session Layout.layout-meta.xml')).Layout!;
    const placed = [
      ...read(path.join(main, 'layouts', 'Tandem_Session__c-Tandem Session Layout.layout-meta.xml')).matchAll(
        /<field>(\w+)<\/field>/g,
      ),
    ].map((m) => m[1] as string);
    expect(layout.layoutSections).toBeDefined();
    for (const field of placed) expect([...standard, ...own]).toContain(field);
    expect(new Set(placed).size).toBe(placed.length);
    for (const field of own) expect(placed).toContain(field);

    const object = parse(
      path.join(main, 'objects', 'Tandem_Session__c', 'Tandem_Session__c.object-meta.xml'),
    ).CustomObject!;
    const compactName = String(object.compactLayoutAssignment);
    const compact = parse(
      path.join(main, 'objects', 'Tandem_Session__c', 'compactLayouts', `${compactName}.compactLayout-meta.xml`),
    ).CompactLayout!;
    expect(compact.fullName).toBe(compactName);
    const compactFields = ([] as string[]).concat(compact.fields as string | string[]);
    expect(compactFields.length).toBeGreaterThanOrEqual(3);
    for (const field of compactFields) expect([...standard, ...own]).toContain(field);
  });

  it('the session tab shows the globe icon (Custom68)', () => {
    expect(parse(path.join(main, 'tabs', 'Tandem_Session__c.tab-meta.xml')).CustomTab!.motif).toBe('Custom68: Globe');
  });

  it('Apex calls only endpoints the service defines', () => {
    const apexPaths = new Set(
      ['TandemController.cls', 'TandemPortalController.cls'].flatMap((f) =>
        [...read(path.join(main, 'classes', f)).matchAll(/'(\/api\/salesforce\/[a-z-]+)'/g)].map((m) => m[1]),
      ),
    );
    expect(apexPaths.size).toBe(5);
    const plugin = read(path.join(repoRoot, 'companion-service', 'src', 'salesforce', 'plugin.ts'));
    for (const p of apexPaths) expect(plugin).toContain(`'${p}'`);
  });
});
