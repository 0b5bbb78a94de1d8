import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli-process';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase('cli_lint_live');
  await db.query('CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-cli-lint-'));
});
afterAll(async () => {
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function lint(sql: string, env: Record<string, string>, flags: string[] = []) {
  const file = path.join(dir, 'change.sql');
  await fs.writeFile(file, sql);
  const run = runCli(['lint', file, ...flags], env);
  return { code: await run.exited, out: run.output() };
}

describe('expand-contract lint with a target', () => {
  it('reads the live schema: a missing column is an error with a suggestion, and the output says what it checked', async () => {
    const { code, out } = await lint('ALTER TABLE orders RENAME COLUMN stauts TO state;\n', { TARGET_DATABASE_URL: db.url });
    expect(code).toBe(1);
    expect(out).toContain('unknown-column  column stauts does not exist on public.orders: the statement would fail');
    expect(out).toContain('help: Did you mean status?');
    // The statement cannot run: no safe plan is offered for it.
    expect(out).not.toContain('plan it safely');
    expect(out).toContain('tables and columns checked against the live schema of TARGET_DATABASE_URL (public)');
  });

  it('proposes a type change from the column type it read', async () => {
    const { out } = await lint('ALTER TABLE orders ALTER COLUMN status TYPE integer;\n', { TARGET_DATABASE_URL: db.url }, ['--json']);
    const doc = JSON.parse(out) as { files: { findings: { rule: string; suggestion?: Record<string, string> }[] }[]; schema: unknown };
    expect(doc.schema).toEqual({ checked: true, variable: 'TARGET_DATABASE_URL', schemas: ['public'] });
    expect(doc.files[0]!.findings.find((f) => f.rule === 'breaking-change-column-type')!.suggestion).toMatchObject({
      forward: '({{old}})::integer',
      reverse: '({{new}})::text',
    });
  });

  it('lints a directory in migration order: a table one file creates is known to the files after it, and only to those', async () => {
    const migrations = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-cli-lint-dir-'));
    try {
      await fs.writeFile(path.join(migrations, '20261202000000_create.sql'), 'CREATE TABLE IF NOT EXISTS notes (id bigint PRIMARY KEY);\n');
      await fs.writeFile(
        path.join(migrations, '20261202000100_alter.sql'),
        'ALTER TABLE notes ADD COLUMN body text;\nALTER TABLE orders ADD COLUMN note text;\n',
      );
      // An earlier file alters what a later one creates: that one still fails on the target.
      await fs.writeFile(path.join(migrations, '20261201000000_too_early.sql'), 'ALTER TABLE notes ADD COLUMN early text;\n');
      const run = runCli(['lint', migrations, '--json'], { TARGET_DATABASE_URL: db.url });
      expect(await run.exited).toBe(1);
      const doc = JSON.parse(run.stdout()) as { files: { file: string; findings: { rule: string; line: number }[] }[] };
      const unknown = doc.files.map((f) => ({ file: path.basename(f.file), unknown: f.findings.filter((x) => x.rule === 'unknown-table').map((x) => x.line) }));
      expect(unknown).toEqual([
        { file: '20261201000000_too_early.sql', unknown: [1] },
        { file: '20261202000000_create.sql', unknown: [] },
        { file: '20261202000100_alter.sql', unknown: [] },
      ]);
    } finally {
      await fs.rm(migrations, { recursive: true, force: true });
    }
  });

  it('without a target, judges the SQL alone and says so', async () => {
    const { code, out } = await lint('ALTER TABLE orders RENAME COLUMN stauts TO state;\n', {});
    expect(code).toBe(1);
    expect(out).not.toContain('unknown-column');
    expect(out).toContain('breaking-rename-column');
    expect(out).toContain('tables and columns not checked: no database');
  });
});
