import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { othersCanTraverse, resolveDataRoot } from './data-dir';

let tmp: string;
afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

describe('data directory', () => {
  it('sees when a parent folder blocks other users', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-dir-'));
    const open = path.join(tmp, 'open', 'project');
    const closed = path.join(tmp, 'closed', 'project');
    await fs.mkdir(open, { recursive: true });
    await fs.mkdir(closed, { recursive: true });
    await fs.chmod(tmp, 0o755);
    await fs.chmod(path.join(tmp, 'open'), 0o755);
    await fs.chmod(path.join(tmp, 'closed'), 0o700);
    expect(othersCanTraverse(open)).toBe(true);
    expect(othersCanTraverse(closed)).toBe(false);
    // A folder that does not exist yet is judged by its parents.
    expect(othersCanTraverse(path.join(open, 'not-yet'))).toBe(true);
  });

  it('uses EC_DATA_DIR relative to the project, else .data in the project when reachable', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-dir-'));
    await fs.chmod(tmp, 0o755);
    expect(resolveDataRoot(tmp, 'custom')).toBe(path.join(tmp, 'custom'));
    expect(resolveDataRoot(tmp, '/abs/dir')).toBe('/abs/dir');
    expect(resolveDataRoot(tmp, undefined)).toBe(path.join(tmp, '.data'));
  });

  it('falls back to the temp folder when Postgres (another user) could not reach the project', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-dir-'));
    await fs.chmod(tmp, 0o700);
    const root = resolveDataRoot(path.join(tmp), undefined);
    if (process.getuid?.() === 0) {
      expect(root).toMatch(new RegExp(`^${os.tmpdir()}/expand-contract-[0-9a-f]{12}$`));
      expect(resolveDataRoot(tmp, undefined)).toBe(root); // stable between runs
    } else {
      // Not root: Postgres runs as us and can always reach our own folders.
      expect(root).toBe(path.join(tmp, '.data'));
    }
  });
});
