import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlSyntaxError } from '../sql/parse-sql';
import { lintSql } from './lint-sql';
import { runSquawk, squawkArgs, SQUAWK_BINARY, SquawkError, SquawkSettingsError, squawkVersion } from './run-squawk';

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

  it(
    "skips excluded rules, ours and Squawk's, and keeps the rest",
    async () => {
      const sql = 'ALTER TABLE users DROP COLUMN legacy_field;\nALTER TABLE leads RENAME COLUMN user_email TO contact_email;';
      const all = await lintSql(sql);
      expect(all.findings.map((f) => f.rule)).toEqual(
        expect.arrayContaining(['breaking-drop-column', 'ban-drop-column', 'breaking-rename-column', 'renaming-column']),
      );
      const { findings } = await lintSql(sql, { exclude: ['breaking-drop-column', 'ban-drop-column', 'require-lock-timeout'] });
      const rules = findings.map((f) => f.rule);
      expect(rules).not.toContain('breaking-drop-column');
      expect(rules).not.toContain('ban-drop-column');
      expect(rules).not.toContain('require-lock-timeout');
      expect(rules).toEqual(expect.arrayContaining(['breaking-rename-column', 'renaming-column', 'require-statement-timeout']));
    },
    SLOW,
  );

  it(
    "passes Squawk's settings on: the Postgres version and whether files run in a transaction change its verdict",
    async () => {
      // Before Postgres 11 a column with a DEFAULT rewrites the table; from 11 on it does not.
      const sql = "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier text DEFAULT 'free';";
      const rulesOf = async (squawk: Parameters<typeof lintSql>[1]) => (await lintSql(sql, squawk)).findings.map((f) => f.rule);
      expect(await rulesOf({ squawk: { pgVersion: '10' } })).toContain('adding-field-with-default');
      expect(await rulesOf({ squawk: { pgVersion: '15' } })).not.toContain('adding-field-with-default');

      const rename = 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email;';
      const robust = async (assumeInTransaction?: boolean) =>
        (await lintSql(rename, { squawk: assumeInTransaction === undefined ? {} : { assumeInTransaction } })).findings.filter(
          (f) => f.rule === 'prefer-robust-stmts',
        );
      expect((await robust()).map((f) => f.message)).toEqual([expect.stringMatching(/^Missing transaction/)]);
      expect(await robust(true)).toEqual([]);
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
  it("resolves the project's own native squawk binary, not one on PATH or npm's Node wrapper", () => {
    expect(SQUAWK_BINARY).toBe(
      path.resolve(import.meta.dirname, '..', '..', 'node_modules', '@squawk-cli', `${process.platform}-${process.arch}`, 'bin', 'squawk'),
    );
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

  it("writes its settings as Squawk's flags, leaving out what is not set", () => {
    expect(squawkArgs({})).toEqual([]);
    expect(
      squawkArgs({
        pgVersion: '13.2',
        assumeInTransaction: false,
        exclude: ['ban-drop-column', 'renaming-column'],
        include: ['require-table-schema'],
        configFile: 'ci/.squawk.toml',
      }),
    ).toEqual([
      '--pg-version=13.2',
      '--no-assume-in-transaction',
      '--exclude=ban-drop-column,renaming-column',
      '--include=require-table-schema',
      '--config=ci/.squawk.toml',
    ]);
    expect(squawkArgs({ assumeInTransaction: true, exclude: [] })).toEqual(['--assume-in-transaction']);
  });

  it('reports settings Squawk refuses, an unknown rule or an unreadable config file, as such', async () => {
    const unknownRule = await runSquawk(RENAME_2AM, { settings: { exclude: ['no-such-rule'] } }).catch((e: unknown) => e);
    expect(unknownRule).toBeInstanceOf(SquawkSettingsError);
    expect((unknownRule as Error).message).toBe(
      "squawk refused its settings: invalid value 'no-such-rule' for '--exclude <rule>': invalid rule name no-such-rule",
    );
    const config = path.join(dir, 'broken.squawk.toml');
    await writeFile(config, 'excluded_rules = [\n');
    const badConfig = await runSquawk(RENAME_2AM, { settings: { configFile: config } }).catch((e: unknown) => e);
    expect(badConfig).toBeInstanceOf(SquawkSettingsError);
    expect((badConfig as Error).message).toMatch(/^squawk refused its settings: Configuration error: /);
  });

  it('reads the version of the pinned squawk', async () => {
    const pkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, '..', '..', 'node_modules', 'squawk-cli', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await squawkVersion()).toBe(pkg.version);
  });

  it('reports a crash with its stderr', async () => {
    const fake = path.join(dir, 'crashing-squawk');
    await writeFile(fake, '#!/bin/sh\necho "boom" >&2\nexit 3\n');
    await chmod(fake, 0o755);
    await expect(runSquawk(RENAME_2AM, { binary: fake })).rejects.toMatchObject({ reason: 'failed', detail: 'boom' });
  });
});
