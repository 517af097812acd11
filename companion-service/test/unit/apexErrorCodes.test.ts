import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/paths';
import { ErrorCode } from '../../src/protocol/codes';
import { SalesforceEndpointErrors } from '../../src/protocol/salesforce';

/* The Salesforce package turns the service's error codes into what agents read (TandemService.MESSAGES_BY_CODE).
 * The codes are plain strings in Apex: these checks keep them the protocol's. */

const CLASSES = path.join(repoRoot, 'force-app', 'main', 'default', 'classes');
const SERVICE_CLASS = path.join(CLASSES, 'TandemService.cls');
const KNOWN = new Set<string>(Object.values(ErrorCode));

/** The codes of TandemService's MESSAGES_BY_CODE map. Throws when the map is not found, so a rewrite of the class
 * can't make these checks pass on nothing. */
function apexMessageCodes(source: string): string[] {
  const block = /MESSAGES_BY_CODE\s*=\s*new\s+Map<String,\s*String>\s*\{([\s\S]*?)\};/.exec(source);
  if (!block) throw new Error('TandemService.cls: MESSAGES_BY_CODE not found');
  const codes = [...block[1]!.matchAll(/'([^']*)'\s*=>/g)].map((m) => m[1]!);
  if (codes.length === 0) throw new Error('TandemService.cls: MESSAGES_BY_CODE has no codes');
  return codes;
}

/** Codes the Apex sources name elsewhere: the callout mock's error bodies and look-ups in the map. */
function apexCodeLiterals(source: string): string[] {
  const patterns = [/serviceError\(\s*\d+\s*,\s*'([^']*)'/g, /MESSAGES_BY_CODE\.get\(\s*'([^']*)'/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

/** The service endpoints the Apex sources call. */
function apexEndpoints(source: string): string[] {
  return [...source.matchAll(/TandemService\.post\(\s*'([^']*)'/g)].map((m) => m[1]!);
}

const unknownCodes = (codes: readonly string[]) => [...new Set(codes.filter((code) => !KNOWN.has(code)))].sort();

const serviceClass = readFileSync(SERVICE_CLASS, 'utf8');
const allClasses = readdirSync(CLASSES)
  .filter((file) => file.endsWith('.cls'))
  .sort()
  .map((file) => readFileSync(path.join(CLASSES, file), 'utf8'))
  .join('\n');

describe('the error codes Apex names', () => {
  it('are all codes of the protocol', () => {
    expect(unknownCodes(apexMessageCodes(serviceClass))).toEqual([]);
    expect(unknownCodes(apexCodeLiterals(allClasses))).toEqual([]);
  });

  it('are caught when one is not a code of the protocol', () => {
    const renamed = serviceClass.replace("'invalid_code' =>", "'wrong_key' =>");
    expect(renamed).not.toBe(serviceClass);
    expect(unknownCodes(apexMessageCodes(renamed))).toEqual(['wrong_key']);
    expect(unknownCodes(apexCodeLiterals("TandemCalloutMock.serviceError(409, 'visitor_gone')"))).toEqual([
      'visitor_gone',
    ]);
  });

  it('include a message for every code the endpoints Apex calls answer with', () => {
    const messages = new Set(apexMessageCodes(serviceClass));
    const missing = Object.entries(SalesforceEndpointErrors).flatMap(([endpoint, codes]) =>
      codes.filter((code) => !messages.has(code)).map((code) => `${endpoint}: ${code}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('the endpoints Apex calls', () => {
  it('each have their error codes listed in the protocol', () => {
    const called = [...new Set(apexEndpoints(allClasses))].sort();
    expect(called.length).toBeGreaterThan(0);
    expect(called).toEqual(Object.keys(SalesforceEndpointErrors).sort());
  });
});
