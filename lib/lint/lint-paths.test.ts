import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths, LintPathError } from './lint-paths';

// Every file linted here runs the real squawk binary.
const SLOW = 30_000;
const RENAME_2AM = 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email;';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ec-lint-paths-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stdin = (text: string, name = '<stdin>') => ({ name, read: async () => text });

describe('lintPaths', () => {
  it(
    'lints every .sql file of a directory in name order, and nothing else',
    async () => {
      const migrations = path.join(dir, 'migrations');
      await mkdir(migrations);
      await writeFile(path.join(migrations, '20250102000000_rename.sql'), RENAME_2AM);
      await writeFile(path.join(migrations, '20250101000000_add.sql'), 'CREATE TABLE audit (id bigint PRIMARY KEY);\n');
      await writeFile(path.join(migrations, 'README.md'), 'not SQL');
      await mkdir(path.join(migrations, 'nested.sql'));
      const results = await lintPaths([migrations]);
      expect(results.map((r) => [path.basename(r.file), r.statements])).toEqual([
        ['20250101000000_add.sql', 1],
        ['20250102000000_rename.sql', 1],
      ]);
      expect(results[1]!.findings.some((f) => f.rule === 'breaking-rename-column')).toBe(true);
    },
    SLOW,
  );

  it(
    'reports a file that does not parse as a syntax-error finding at its line, and still lints the files around it',
    async () => {
      const mixed = path.join(dir, 'mixed');
      await mkdir(mixed);
      await writeFile(path.join(mixed, '001_drop.sql'), 'ALTER TABLE users DROP COLUMN legacy_field;\n');
      await writeFile(path.join(mixed, '002_broken.sql'), 'SELECT 1;\n\nALTER TABL leads;\n');
      await writeFile(path.join(mixed, '003_rename.sql'), `-- the 2am rename\n${RENAME_2AM}\n`);
      const results = await lintPaths([mixed]);
      expect(results.map((r) => path.basename(r.file))).toEqual(['001_drop.sql', '002_broken.sql', '003_rename.sql']);
      expect(results[0]!.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['breaking-drop-column', 'ban-drop-column']));
      expect(results[1]).toEqual({
        file: path.join(mixed, '002_broken.sql'),
        statements: 0,
        findings: [
          {
            source: 'expand-contract',
            rule: 'syntax-error',
            severity: 'error',
            message: 'syntax error at or near "TABL"',
            help: expect.stringContaining('PostgreSQL can parse it'),
            statementIndex: null,
            line: 3,
            column: 7,
          },
        ],
      });
      expect(results[2]!.findings.find((f) => f.rule === 'breaking-rename-column')).toMatchObject({ line: 2, severity: 'error' });
    },
    SLOW,
  );

  it(
    'lints several paths in the order given, each file once, and reads `-` from stdin under its name',
    async () => {
      const a = path.join(dir, 'a.sql');
      const b = path.join(dir, 'b.sql');
      await writeFile(a, 'SELECT 1;\n');
      await writeFile(b, RENAME_2AM);
      const results = await lintPaths([b, '-', a, b], {
        stdin: stdin('SELECT 1;\nALTER TABLE users DROP COLUMN legacy_field;\n', 'supabase/migrations/x.sql'),
      });
      expect(results.map((r) => r.file)).toEqual([b, 'supabase/migrations/x.sql', a]);
      expect(results[1]!.findings.find((f) => f.rule === 'breaking-drop-column')).toMatchObject({ line: 2 });
    },
    SLOW,
  );

  it(
    'excludes syntax-error like any other rule',
    async () => {
      const [result] = await lintPaths(['-'], { stdin: stdin('ALTER TABL x;'), exclude: ['syntax-error'] });
      expect(result).toEqual({ file: '<stdin>', findings: [], statements: 0 });
    },
    SLOW,
  );

  it('refuses a missing path, a directory without .sql files and `-` without stdin, before linting anything', async () => {
    await expect(lintPaths([path.join(dir, 'missing')])).rejects.toMatchObject({ name: 'LintPathError', reason: 'not-found' });
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    const error = await lintPaths([empty]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LintPathError);
    expect(error).toMatchObject({ reason: 'no-sql-files', path: empty });
    await expect(lintPaths(['-'])).rejects.toMatchObject({ reason: 'no-stdin' });
    await expect(lintPaths(['-', '-'], { stdin: stdin('SELECT 1;') })).rejects.toMatchObject({ reason: 'no-stdin' });
    let read = false;
    const fails = lintPaths(['-', path.join(dir, 'missing.sql')], { stdin: { name: '<stdin>', read: async () => ((read = true), 'SELECT 1;') } });
    await expect(fails).rejects.toMatchObject({ reason: 'not-found' });
    expect(read).toBe(false);
  });
});
