import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above this file holding sfdx-project.json.
 * Found by walking up so the same code works from `src/` (tests) and from `build/` (npm start). */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'sfdx-project.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root above ${start}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot(__dirname);
export const configDir = path.join(repoRoot, 'config');
export const webDistDir = path.join(repoRoot, 'companion-service', 'dist', 'web');
