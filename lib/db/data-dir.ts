import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/**
 * True when every directory from / down to `dir` lets "others" traverse it. When we
 * run as root, Postgres runs as the `postgres` OS user and must reach its data
 * directory through all of these; a clone under /root usually fails this test.
 */
export function othersCanTraverse(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) return false;
    } catch {
      // Not created yet: its parent decides.
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Where the embedded server keeps its files: EC_DATA_DIR when set, else `.data/` in the
 * project, unless Postgres (as the postgres user) could not reach it there, in which case
 * a per-project folder in the OS temp directory.
 */
export function resolveDataRoot(projectDir: string, configured: string | undefined): string {
  if (configured) return path.resolve(projectDir, configured);
  const inProject = path.join(projectDir, '.data');
  if (!isRoot() || othersCanTraverse(projectDir)) return inProject;
  const key = createHash('sha256').update(path.resolve(projectDir)).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `expand-contract-${key}`);
}
