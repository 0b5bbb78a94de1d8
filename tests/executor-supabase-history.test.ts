import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhase } from '../lib/executor/run-phase';
import { supabaseMigration } from '../lib/migrations/render-sql';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { databaseFlag, SUPABASE } from './helpers/supabase-cli';

const run = promisify(execFile);

let w: ExecutorWorld;
let project: string;
beforeAll(async () => {
  // The target as on Supabase: the CLI pushes and the product runs phases as the same non-superuser postgres.
  w = await executorWorld('history', { target: 'supabase' });
  await w.target.query(`CREATE TABLE accounts (id bigint PRIMARY KEY, mail text NOT NULL);
                        INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 1500) g; ANALYZE accounts;`);
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-history-'));
  await fs.mkdir(path.join(project, 'supabase', 'migrations'), { recursive: true });
});
afterAll(async () => {
  await w?.close();
  if (project) await fs.rm(project, { recursive: true, force: true });
});

describe('the executor and the Supabase CLI share one migration history', () => {
  it('notices an expand applied with `supabase db push`, and records its own phases where `supabase migration list` sees them', async () => {
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'accounts', column: 'mail', newName: 'email' });
    const { plan } = await w.store.getMigration(id);
    const file = supabaseMigration(plan, 'expand', new Date('2026-11-23T10:00:00Z'));
    await fs.writeFile(path.join(project, 'supabase', 'migrations', file.fileName), file.content);
    await run(SUPABASE, ['db', 'push', ...databaseFlag(w.targetDb.url), '--yes'], { cwd: project });

    expect((await w.target.query('SELECT current_user AS me, rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0]).toEqual({
      me: 'postgres',
      rolsuper: false,
    });

    const expand = await runPhase({ store: w.store, target: w.target }, id, 'expand');
    expect(expand).toMatchObject({ source: 'supabase-cli', status: 'succeeded', historyVersion: '20261123100000' });
    const runs = await w.store.phaseRuns(id);
    expect(runs.map((r) => [r.phase, r.source, r.historyVersion])).toEqual([['expand', 'supabase-cli', '20261123100000']]);
    expect((await w.store.getMigration(id)).status).toBe('expanded');
    // Nothing ran twice: still one INSERT and one UPDATE sync trigger.
    expect((await w.target.query("SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'ec_sync_%'")).rows[0]!.n).toBe(3);

    await runPhase({ store: w.store, target: w.target }, id, 'backfill');
    expect((await w.store.getBackfill(id))!.rowsChanged).toBe(0); // the pushed file had backfilled already
    const contract = await runPhase({ store: w.store, target: w.target, signals: false }, id, 'contract');
    expect(contract.source).toBe('executor');

    const { stdout } = await run(SUPABASE, ['migration', 'list', ...databaseFlag(w.targetDb.url)], { cwd: project });
    expect(stdout).toMatch(/`20261123100000` \| `20261123100000`/);
    expect(stdout).toContain(`\`${contract.historyVersion}\``);
  });

  it('does not trust a history row whose effect the catalog does not show', async () => {
    await w.target.query("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'x')");
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'notes', column: 'body', newName: 'text_body' });
    await w.target.query(
      "INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES ('20261123120000', 'rename_notes_body_to_text_body_expand')",
    );
    const expand = await runPhase({ store: w.store, target: w.target }, id, 'expand');
    expect(expand.source).toBe('executor');
    expect((await w.target.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'text_body'")).rowCount).toBe(1);
  });
});
