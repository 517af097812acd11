import { readFileSync } from 'node:fs';
import { OPENAPI_DOC, openApiDocument } from '../../scripts/openapiDoc';

/* docs/openapi.json is made from the routes' schemas: it must be what the service describes today, and every route
 * must say what it answers (a JSON schema for its success, or a summary for pages and redirects). */

jest.setTimeout(30_000);

type Operation = { summary?: string; responses?: Record<string, { content?: unknown }> };

let generated: string;
beforeAll(async () => {
  generated = await openApiDocument();
});

it('is up to date (run npm run docs:openapi)', () => {
  expect(readFileSync(OPENAPI_DOC, 'utf8')).toBe(generated);
});

it('describes every route: a JSON schema for its success answer, or a summary for a page or a redirect', () => {
  const paths = (JSON.parse(generated) as { paths: Record<string, Record<string, Operation>> }).paths;
  const undescribed: string[] = [];
  for (const [route, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const success = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));
      if (!operation.summary && !success.some(([, answer]) => answer.content))
        undescribed.push(`${method.toUpperCase()} ${route}`);
    }
  }
  expect(undescribed).toEqual([]);
  // The routes agents' and admins' tools call are all there.
  for (const route of [
    '/api/salesforce/agent-tokens',
    '/api/salesforce/outbox',
    '/api/visitor-tokens',
    '/readyz',
    '/auth/salesforce/login',
  ]) {
    expect(Object.keys(paths)).toContain(route);
  }
});
