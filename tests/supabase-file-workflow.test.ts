import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveContract } from '../lib/data/approve-contract';
import { approvePlan } from '../lib/data/approve-plan';
import { ingestMetrics } from '../lib/signals/ingest-metrics';
import { sampleStatements } from '../lib/signals/sample-statements';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { addPerson } from './helpers/people';
import { databaseFlag, SUPABASE } from './helpers/supabase-cli';
import { asAuthenticated } from './helpers/supabase-database';

/**
 * A team that keeps its migrations in supabase/migrations and ships them with `supabase db push`,
 * on a Supabase-shaped database as its non-superuser postgres, renaming the column its row-level
 * security is written on: plan the expand file, push it, register the change (which adopts the
 * pushed expand), backfill, mark the deploy, let the gate open, export the contract, push it.
 * Every command is the real one; the session is printed for whoever reads the test's output.
 */
const exec = promisify(execFile);
let w: ExecutorWorld;
let project: string;
const session: string[] = [];
const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';

const env = () => ({
  DATABASE_URL: w.stateDb.url,
  TARGET_DATABASE_URL: w.targetDb.url,
  // The gate's clocks at zero, so the test does not wait days; every other condition is judged as in production.
  EC_BUFFER_MINUTES: '0',
  EC_OBSERVATION_MINUTES: '0',
  // A sampler every minute: two samples count as covering the time between them when at most two periods apart, and
  // on a loaded machine the commands between the test's two samples take longer than a short period allows.
  EC_SAMPLE_SECONDS: '60',
  EC_DEMO_MODE: 'off',
});

async function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
  const p = runCli(args, env());
  const code = await p.exited;
  session.push(`$ expand-contract ${args.join(' ').replace(project, '.')}`, p.output().trimEnd().replaceAll(project, '.'), `(exit ${code})`);
  return { code, output: p.output() };
}

async function supabase(...args: string[]): Promise<{ ok: boolean; output: string }> {
  const result = await exec(SUPABASE, [...args, ...databaseFlag(w.targetDb.url)], { cwd: project, env: { ...process.env, DO_NOT_TRACK: '1' } }).then(
    (r) => ({ ok: true, output: r.stdout + r.stderr }),
    (e: { stdout: string; stderr: string }) => ({ ok: false, output: e.stdout + e.stderr }),
  );
  session.push(`$ supabase ${args.join(' ')} --remote=…`, result.output.trimEnd().replaceAll(w.targetDb.url, '…'));
  return result;
}

/** The ids a signed-in person sees through the API's role, under RLS. */
const visibleTo = (uid: string) =>
  w.targetDb.admin
    .client()
    .then((c) =>
      asAuthenticated(c, uid, async (a) => (await a.query<{ id: string }>('SELECT id FROM public.profiles ORDER BY id')).rows.map((r) => Number(r.id))),
    );

beforeAll(async () => {
  w = await executorWorld('file_workflow', { target: 'supabase' });
  await w.target.query(`
    CREATE TABLE public.profiles (id bigint PRIMARY KEY, user_id uuid NOT NULL, bio text);
    ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
    CREATE POLICY "own profile" ON public.profiles FOR ALL TO authenticated USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
    GRANT SELECT, INSERT, UPDATE ON public.profiles TO authenticated;
    INSERT INTO public.profiles SELECT g, CASE WHEN g % 2 = 0 THEN '${ALICE}'::uuid ELSE '${BOB}'::uuid END, 'bio ' || g FROM generate_series(1, 400) g;
    ANALYZE public.profiles;`);
  project = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-file-workflow-'));
  await fs.mkdir(path.join(project, 'supabase', 'migrations'), { recursive: true });
  await fs.copyFile(path.join(import.meta.dirname, '..', 'supabase', 'config.toml'), path.join(project, 'supabase', 'config.toml'));
});
afterAll(async () => {
  console.log(`the file workflow, as run:\n${session.join('\n')}`);
  await w?.close();
  if (project) await fs.rm(project, { recursive: true, force: true });
});

describe('the supabase db push workflow, end to end', () => {
  it('plan, push, create, backfill, deploy, gate, export, push: the same rows visible at the end', async () => {
    const before = { alice: await visibleTo(ALICE), bob: await visibleTo(BOB) };
    expect(before.alice).toHaveLength(200);

    const planned = await cli('plan', 'rename', 'public.profiles.user_id', 'owner_id', '--supabase-dir', path.join(project, 'supabase'));
    expect(planned.code).toBe(0);
    const [expandFile = ''] = await fs.readdir(path.join(project, 'supabase', 'migrations'));
    expect(expandFile).toMatch(/^\d{14}_rename_profiles_user_id_to_owner_id_expand\.sql$/);
    expect((await supabase('db', 'push', '--yes')).ok).toBe(true);

    // Registered after the push: planned against the schema before it, and the expand adopted, not refused.
    const created = await cli('create', 'rename', 'public.profiles.user_id', 'owner_id');
    expect(created.code).toBe(0);
    expect(created.output).toMatch(/the expand is already applied: supabase db push recorded it as version \d{14}/);
    const id = Number(/created migration (\d+)/.exec(created.output)![1]);
    const reviewer = await addPerson(w.pool, 'reviewer', ['reviewer']);
    const oncall = await addPerson(w.pool, 'oncall', ['oncall', 'reviewer']);
    await w.pool.query(
      "UPDATE expand_contract.settings SET value = jsonb_build_object('startsAt', now() - interval '1 day', 'shiftDays', 7) WHERE key = 'oncall'",
    );
    await w.pool.query('INSERT INTO expand_contract.oncall_rotation (position, user_id) VALUES (0, $1)', [oncall.id]);
    await approvePlan(w.pool, reviewer, id);
    // The sampler runs beside the dashboard from the start (the worker does it there), so the window is covered.
    const { target: label } = await w.store.getMigration(id);
    await sampleStatements(w.target, w.pool, label);

    const expand = await cli('run', String(id), 'expand');
    expect(expand.output).toMatch(/expand was already applied with the Supabase CLI \(version \d{14}\); marking it done/);
    expect((await cli('run', String(id), 'backfill')).code).toBe(0);
    expect((await cli('run', String(id), 'verify')).code).toBe(0);
    expect((await cli('deployed', String(id))).code).toBe(0);

    // The evidence: the sampler covers the window, services report no regression, the person on call approves.
    await ingestMetrics(w.pool, 'web', {
      batchId: 'wf',
      points: [{ service: 'web', version: 'v2', timestamp: new Date().toISOString(), requests: 500, errors: 0 }],
    });
    await new Promise((r) => setTimeout(r, 800));
    await sampleStatements(w.target, w.pool, label);
    const gate = { store: w.store, target: w.target, sampleEverySeconds: 60, observationMinutes: 0, bufferMinutes: 0 };
    await approveContract(w.pool, w.target, gate, oncall, id);

    const exported = await cli('export', String(id), 'contract', '--supabase-dir', path.join(project, 'supabase'));
    expect(exported.code).toBe(0);
    const contractFile = (await fs.readdir(path.join(project, 'supabase', 'migrations'))).find((f) => f.endsWith('_contract.sql'))!;
    expect(await fs.readFile(path.join(project, 'supabase', 'migrations', contractFile), 'utf8')).toContain(
      'ALTER POLICY "own profile" ON "public"."profiles" USING ((auth.uid() = "owner_id")) WITH CHECK ((auth.uid() = "owner_id"))',
    );
    expect((await supabase('db', 'push', '--yes')).ok).toBe(true);

    // Pushed: the column is gone, the policy reads the new one, and every signed-in person sees what they saw.
    const columns = await w.target.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'profiles' ORDER BY ordinal_position");
    expect(columns.rows.map((r) => r.column_name)).toEqual(['id', 'bio', 'owner_id']);
    expect({ alice: await visibleTo(ALICE), bob: await visibleTo(BOB) }).toEqual(before);

    const list = await supabase('migration', 'list');
    expect(list.output).toContain(expandFile.slice(0, 14));
    expect(list.output).toContain(contractFile.slice(0, 14));
    // The dashboard agrees: the contract pushed is taken as done.
    expect((await cli('run', String(id), 'contract')).output).toMatch(/contract was already applied with the Supabase CLI/);
    expect((await cli('status', String(id))).output).toMatch(/contracted/);
  }, 240_000); // a dozen real commands, each a process start: minutes on a loaded machine
});
