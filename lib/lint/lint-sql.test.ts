import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlSyntaxError } from '../sql/parse-sql';
import { lintPath, LintPathError, lintSql, SqlFileSyntaxError } from './lint-sql';
import { runSquawk, SQUAWK_BINARY, SquawkError } from './run-squawk';

// Every test here runs the real squawk binary; each run starts a process.
const SLOW = 30_000;
const RENAME_2AM = 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email;';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ec-lint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lintSql', () => {
  it(
    'reports the 2am rename from both Squawk and our pass, ours with the operation to plan',
    async () => {
      const { findings, statements } = await lintSql(RENAME_2AM);
      expect(statements).toBe(1);
      expect(findings.find((f) => f.source === 'squawk' && f.rule === 'renaming-column')).toMatchObject({
        // Renaming breaks clients: an error by its rule, though Squawk itself says "Warning" for every rule.
        severity: 'error',
        line: 1,
        statementIndex: 0,
      });
      expect(findings.find((f) => f.source === 'expand-contract')).toMatchObject({
        rule: 'breaking-rename-column',
        severity: 'error',
        line: 1,
        statementIndex: 0,
        suggestion: { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
      });
      // Squawk's lock and robustness advice is kept, not filtered away.
      expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['require-lock-timeout', 'require-statement-timeout', 'prefer-robust-stmts']));
      expect(findings[0]!.source).toBe('expand-contract');
    },
    SLOW,
  );

  it(
    'sorts by line and ties Squawk findings to their statements',
    async () => {
      const sql =
        "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\n\nALTER TABLE users ADD COLUMN note text;\nALTER TABLE users DROP COLUMN legacy_field;\n";
      const { findings, statements } = await lintSql(sql);
      expect(statements).toBe(4);
      const lines = findings.map((f) => f.line);
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
      expect(
        findings.filter((f) => f.rule === 'ban-drop-column' || f.rule === 'breaking-drop-column').map((f) => [f.source, f.line, f.statementIndex]),
      ).toEqual([
        ['expand-contract', 5, 3],
        ['squawk', 5, 3],
      ]);
      expect(findings.some((f) => f.rule === 'require-lock-timeout')).toBe(false);
    },
    SLOW,
  );

  it(
    'gives Squawk columns in string units when the line has multi-byte characters',
    async () => {
      const sql = "SELECT 'é😀'; ALTER TABLE leads RENAME COLUMN a TO b;";
      const { findings } = await lintSql(sql);
      const rename = findings.find((f) => f.rule === 'renaming-column')!;
      expect(rename.column).toBe(sql.indexOf('RENAME') + 1);
      expect(rename.statementIndex).toBe(1);
    },
    SLOW,
  );

  it(
    'is clean for a safe migration with timeouts and a transaction',
    async () => {
      const sql =
        "BEGIN;\nSET LOCAL lock_timeout = '1s';\nSET LOCAL statement_timeout = '5s';\nALTER TABLE leads ADD COLUMN IF NOT EXISTS contact_email text;\nCOMMIT;\n";
      expect(await lintSql(sql)).toEqual({ findings: [], statements: 5 });
    },
    SLOW,
  );

  it(
    'rates Squawk by rule: a safe concurrent index has only advice, a plain one blocks writes and is an error',
    async () => {
      const safe = await lintSql('CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_email_idx ON leads (user_email);');
      expect(safe.findings.map((f) => [f.rule, f.severity])).toEqual([
        ['require-lock-timeout', 'warning'],
        ['require-statement-timeout', 'warning'],
      ]);
      const plain = await lintSql('CREATE INDEX leads_email_idx ON leads (user_email);');
      expect(plain.findings.find((f) => f.rule === 'require-concurrent-index-creation')).toMatchObject({ source: 'squawk', severity: 'error' });
    },
    SLOW,
  );

  it(
    'with the live schema, a statement naming a missing column gets that finding instead of a safe plan',
    async () => {
      const schema = {
        schemas: ['public'],
        tables: [
          {
            schema: 'public',
            name: 'users',
            columns: [{ name: 'email', type: 'text', nullable: false, defaultExpression: null, position: 1, identity: '' as const, generated: '' as const }],
            primaryKey: ['email'],
            estimatedRows: 0,
            totalBytes: 0,
            rlsEnabled: false,
            dependents: [],
          },
        ],
      };
      const { findings } = await lintSql('ALTER TABLE users RENAME COLUMN nope TO other;\nALTER TABLE users RENAME COLUMN email TO mail;', { schema });
      const ours = findings.filter((f) => f.source === 'expand-contract');
      expect(ours.map((f) => [f.line, f.rule, !!f.suggestion])).toEqual([
        [1, 'unknown-column', false],
        [2, 'breaking-rename-column', true],
      ]);
      expect(findings[0]!.rule).toBe('unknown-column');
    },
    SLOW,
  );

  it('throws SqlSyntaxError on the right line for SQL Postgres would reject', async () => {
    const error = await lintSql('SELECT 1;\n\nALTER TABLE leads RENAME COLUMN user_email contact_email;').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlSyntaxError);
    expect(error).toMatchObject({ line: 3, message: 'syntax error at or near "contact_email"' });
  });
});

describe('runSquawk', () => {
  it('resolves the binary inside the project', () => {
    expect(SQUAWK_BINARY).toBe(path.resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'squawk'));
  });

  it('reports a missing binary as such', async () => {
    const missing = path.join(dir, 'no-squawk-here');
    const error = await runSquawk(RENAME_2AM, { binary: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SquawkError);
    expect(error).toMatchObject({ reason: 'missing-binary', binary: missing });
  });

  it('reports output that is not its JSON report', async () => {
    const fake = path.join(dir, 'fake-squawk');
    await writeFile(fake, '#!/bin/sh\necho "squawk: something went wrong"\nexit 1\n');
    await chmod(fake, 0o755);
    const error = await runSquawk(RENAME_2AM, { binary: fake }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SquawkError);
    expect(error).toMatchObject({ reason: 'bad-output', detail: 'squawk: something went wrong' });
  });

  it('reports a crash with its stderr', async () => {
    const fake = path.join(dir, 'crashing-squawk');
    await writeFile(fake, '#!/bin/sh\necho "boom" >&2\nexit 3\n');
    await chmod(fake, 0o755);
    await expect(runSquawk(RENAME_2AM, { binary: fake })).rejects.toMatchObject({ reason: 'failed', detail: 'boom' });
  });
});

describe('lintPath', () => {
  it(
    'lints every .sql file of a directory in name order, and nothing else',
    async () => {
      const migrations = path.join(dir, 'migrations');
      await mkdir(migrations);
      await writeFile(path.join(migrations, '20250102000000_rename.sql'), RENAME_2AM);
      await writeFile(path.join(migrations, '20250101000000_add.sql'), 'CREATE TABLE audit (id bigint PRIMARY KEY);\n');
      await writeFile(path.join(migrations, 'README.md'), 'not SQL');
      await mkdir(path.join(migrations, 'nested.sql'));
      const results = await lintPath(migrations);
      expect(results.map((r) => [path.basename(r.file), r.statements])).toEqual([
        ['20250101000000_add.sql', 1],
        ['20250102000000_rename.sql', 1],
      ]);
      expect(results[1]!.findings.some((f) => f.rule === 'breaking-rename-column')).toBe(true);
    },
    SLOW,
  );

  it(
    'lints a single file',
    async () => {
      const file = path.join(dir, 'one.sql');
      await writeFile(file, RENAME_2AM);
      const [result] = await lintPath(file);
      expect(result!.file).toBe(file);
      expect(result!.findings.some((f) => f.source === 'squawk')).toBe(true);
    },
    SLOW,
  );

  it('refuses a missing path and a directory without .sql files', async () => {
    await expect(lintPath(path.join(dir, 'missing'))).rejects.toMatchObject({ name: 'LintPathError', reason: 'not-found' });
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    const error = await lintPath(empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LintPathError);
    expect(error).toMatchObject({ reason: 'no-sql-files', path: empty });
  });

  it('names the file and line of a syntax error', async () => {
    const file = path.join(dir, 'broken.sql');
    await writeFile(file, 'SELECT 1;\nALTER TABL leads;\n');
    const error = await lintPath(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlFileSyntaxError);
    expect(error).toMatchObject({ file, line: 2, message: `${file}:2: syntax error at or near "TABL"` });
  });
});
