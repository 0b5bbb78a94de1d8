import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli-process';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase('cli_plan');
  await db.query(`CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL);
                  CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);`);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-cli-plan-'));
});
afterAll(async () => {
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const run = runCli(args, { TARGET_DATABASE_URL: db.url });
  const code = await run.exited;
  return { code, out: run.output() };
}

describe('expand-contract plan', () => {
  it('prints every phase of a rename read from the live schema', async () => {
    const { code, out } = await cli(['plan', 'rename', 'public.leads.user_email', 'contact_email']);
    expect(code).toBe(0);
    for (const phase of ['expand', 'contract', 'rollback', 'restore']) expect(out).toContain(`-- ===== ${phase} =====`);
    expect(out).toContain(`BEFORE INSERT ON "public"."leads"`);
    expect(out).toContain(`BEFORE UPDATE ON "public"."leads"`);
  });

  it('writes the expand phase as a Supabase migration file', async () => {
    const { code, out } = await cli(['plan', 'rename', 'leads.user_email', 'contact_email', '--supabase-dir', dir]);
    expect(code).toBe(0);
    const files = await fs.readdir(path.join(dir, 'migrations'));
    expect(files).toEqual([expect.stringMatching(/^\d{14}_rename_leads_user_email_to_contact_email_expand\.sql$/)]);
    expect(out).toContain(`wrote ${path.join(dir, 'migrations', files[0]!)}`);
  });

  it('writes no contract file: that comes from export, behind the gate (exit 1, nothing written)', async () => {
    const contractDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-cli-contract-'));
    try {
      const { code, out } = await cli(['plan', 'rename', 'leads.user_email', 'contact_email', '--phase', 'contract', '--supabase-dir', contractDir]);
      expect(code).toBe(1);
      expect(out).toMatch(/^error: no contract file from plan: .*expand-contract export <id> contract --supabase-dir DIR/m);
      expect(await fs.readdir(contractDir)).toEqual([]);
      // Its SQL is still there to review.
      const printed = await cli(['plan', 'rename', 'leads.user_email', 'contact_email', '--phase', 'contract']);
      expect(printed.code).toBe(0);
      expect(printed.out).toContain('DROP COLUMN IF EXISTS "user_email"');
    } finally {
      await fs.rm(contractDir, { recursive: true, force: true });
    }
  });

  it('refuses (exit 1) what the schema does not allow, and expressions that are not one expression', async () => {
    const missing = await cli(['plan', 'rename', 'leads.email', 'contact_email']);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('column email does not exist on public.leads');
    const injected = await cli([
      'plan',
      'change-type',
      'orders.status',
      'integer',
      '--new-column',
      'status_code',
      '--forward',
      '1); DROP TABLE leads; --',
      '--reverse',
      '{{new}}::text',
    ]);
    expect(injected.code).toBe(1);
    expect(injected.out).toContain('forward mapping');
    expect((await db.query("SELECT to_regclass('public.leads') IS NOT NULL AS ok")).rows[0]!.ok).toBe(true);
  });

  it('reads new names as Postgres does, and refuses one Postgres would truncate, without a stack trace', async () => {
    const folded = await cli(['plan', 'rename', 'leads.user_email', 'ContactEmail', '--json']);
    expect(folded.code).toBe(0);
    expect(JSON.parse(folded.out).operation.newName).toBe('contactemail');
    const quoted = await cli(['plan', 'rename', 'leads.user_email', '"ContactEmail"', '--json']);
    expect(JSON.parse(quoted.out).operation.newName).toBe('ContactEmail');
    const long = await cli(['plan', 'rename', 'leads.user_email', 'x'.repeat(64)]);
    expect(long.code).toBe(1);
    expect(long.out).toContain('must be 1 to 63 bytes');
    expect(long.out).not.toMatch(/\n\s+at /);
  });

  it('answers bad usage with exit 2 and the usage text', async () => {
    const { code, out } = await cli(['plan', 'rename', 'leads']);
    expect(code).toBe(2);
    expect(out).toContain('usage:');
    expect((await cli(['plan', 'rename', 'leads.user_email', 'x', '--lock-timeout', 'forever'])).code).toBe(2);
  });
});

describe('expand-contract lint', () => {
  it('flags the 2am rename and offers the safe plan (exit 1); clean SQL exits 0; a missing file exits 2', async () => {
    const bad = path.join(dir, 'rename.sql');
    await fs.writeFile(bad, 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email;\n');
    const flagged = await cli(['lint', bad]);
    expect(flagged.code).toBe(1);
    expect(flagged.out).toContain('breaking-rename-column');
    expect(flagged.out).toContain('renaming-column'); // squawk's own rule, from the real binary
    expect(flagged.out).toContain('plan it safely: expand-contract plan rename public.leads.user_email contact_email');

    const good = path.join(dir, 'good.sql');
    await fs.writeFile(good, "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\nALTER TABLE leads ADD COLUMN IF NOT EXISTS note text;\n");
    expect((await cli(['lint', good])).code).toBe(0);
    expect((await cli(['lint', path.join(dir, 'nope.sql')])).code).toBe(2);
  });
});
