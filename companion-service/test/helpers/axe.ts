import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Runs axe-core on the page as it stands and returns its violations as short readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') }).catch(async () => {
      // A strict Content-Security-Policy refuses inline scripts: evaluate the same source through the debugger.
      await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    });
  }
  return page.evaluate(async () => {
    type AxeResult = { violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> };
    const axe = (window as unknown as { axe: { run(c: Document): Promise<AxeResult> } }).axe;
    const result = await axe.run(document);
    return result.violations.map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
  });
}

/** Expects no axe-core violations on the page; `screen` names the screen in the failure message. */
export async function expectNoAxeViolations(page: Page, screen?: string): Promise<void> {
  const violations = await axeViolations(page);
  if (screen === undefined) expect(violations).toEqual([]);
  else expect({ screen, violations }).toEqual({ screen, violations: [] });
}
