import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding the product's package.json: the state schema's migration files, the Next
 * app and the build live there. Found by walking up, because this module runs both from `cli/`
 * (TypeScript, in tests) and bundled into `dist/cli/`.
 */
export function projectDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
