import 'server-only';
import type { ClientBase, Pool } from 'pg';
import { introspectSchema } from '../db/introspect-schema';
import { readRowAccess } from '../db/read-row-access';
import { operationFor } from '../migrations/operations';
import type { MigrationRecord } from '../state/records';
import { preflightChecklist, type ChecklistItem } from '../gate/preflight-checklist';
import { detectBreakingChanges } from '../lint/detect-breaking-changes';
import { planReadsRows } from '../migrations/plan-reads-rows';
import { renderPhase } from '../migrations/render-sql';
import { samplerCoverage } from '../signals/legacy-usage';
import { parseSql } from '../sql/parse-sql';

const lastSuccess = (runs: { phase: string; status: string; startedAt: Date; finishedAt: Date | null }[], phase: string) => {
  const run = runs.filter((r) => r.phase === phase && r.status === 'succeeded').at(-1);
  return run ? (run.finishedAt ?? run.startedAt) : null;
};

/** Gathers the facts for the pre-flight checklist from the plan, the target's statistics and the state database. */
export async function getPreflight(
  pool: Pool,
  target: ClientBase,
  migration: MigrationRecord,
  runs: { phase: string; status: string; startedAt: Date; finishedAt: Date | null }[],
  sampleEverySeconds: number,
  now: Date,
): Promise<ChecklistItem[]> {
  const plan = migration.plan;
  const op = plan.operation;
  const expand = await parseSql(renderPhase(plan, 'expand'));
  const expandFindings = detectBreakingChanges(expand.statements).map((f) => f.message);
  let table: { rows: number | null; bytes: number } | null = null;
  // As the role this connection uses: the executor connects with the same TARGET_DATABASE_URL.
  const acted = operationFor(op).target(op);
  const rowAccess = acted && (await readRowAccess(target, { schema: acted.schema, name: acted.table }));
  if (acted) {
    const snapshot = await introspectSchema(target, [acted.schema]);
    const t = snapshot.tables.find((x) => x.name === acted.table);
    if (t) table = { rows: t.estimatedRows, bytes: t.totalBytes };
  }
  const rate = await pool.query<{ r: number | null }>(
    `SELECT max(b.rows_per_second)::float8 AS r FROM expand_contract.backfills b JOIN expand_contract.migrations m ON m.id = b.migration_id
      WHERE m.target = $1 AND b.status = 'done' AND b.rows_per_second > 0 AND NOT m.seeded`,
    [migration.target],
  );
  const locks = new Map<string, number>();
  for (const s of plan.steps) locks.set(s.lock, (locks.get(s.lock) ?? 0) + 1);
  // Strongest first, the order in which they matter to everyone else on the table.
  const order = ['ACCESS EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE', 'SHARE UPDATE EXCLUSIVE', 'ROW EXCLUSIVE', 'ACCESS SHARE', 'NONE'];
  const strength = (l: string) => order.indexOf(l);
  const coverage = await samplerCoverage(pool, migration.target, new Date(now.getTime() - 3_600_000), now, sampleEverySeconds);
  // The latest successful sample of the target and of each of its replicas, for what it saw of the track setting.
  const tracks = await pool.query<{ target: string; track: string; primary_target: string | null }>(
    `SELECT DISTINCT ON (target) target, track, primary_target FROM expand_contract.sampler_runs
      WHERE (target = $1 OR primary_target = $1) AND status IN ('ok', 'baseline') AND track IS NOT NULL AND sampled_at > $2
      ORDER BY target, sampled_at DESC`,
    [migration.target, new Date(now.getTime() - 3_600_000)],
  );
  const services = await pool.query<{ service: string }>(
    "SELECT DISTINCT service FROM expand_contract.metric_minutes WHERE source = 'app' AND minute > $1 ORDER BY service",
    [new Date(now.getTime() - 86_400_000)],
  );
  return preflightChecklist(
    {
      rollbackSteps: plan.steps.filter((s) => s.phase === 'rollback').length,
      rollbackRan: runs.some((r) => r.phase === 'rollback'),
      expandFindings,
      table,
      measuredRowsPerSecond: rate.rows[0]?.r ?? null,
      locks: [...locks.entries()].sort((a, b) => strength(a[0]) - strength(b[0])).map(([lock, steps]) => ({ lock, steps })),
      schedule: migration.schedule,
      ran: { expand: lastSuccess(runs, 'expand'), contract: lastSuccess(runs, 'contract') },
      samplerCoverage: coverage.samples > 0 ? coverage.coverage : null,
      trackNotAll: tracks.rows
        .filter((r) => r.track !== 'all')
        .map((r) => ({ server: r.primary_target ? `replica ${r.target}` : 'the target', track: r.track })),
      reportingServices: services.rows.map((r) => r.service),
      namedServices: migration.services,
      rowAccess,
      readsRows: planReadsRows(plan),
    },
    now,
  );
}
