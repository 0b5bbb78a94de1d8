import 'server-only';
import { migrationBrownouts, type BrownoutRecord } from '../state/brownout-records';
import type { ScheduleClash } from '../timeline/schedule-windows';
import { getScheduleClashes } from './get-schedule-clashes';
import { contractGate } from '../signals/gate-evidence';
import type { BackfillRecord, MigrationListing, MigrationRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import type { GateDecision } from '../gate/evaluate-gate';
import { backfillProgress, type BackfillProgressView } from '../metrics/backfill-progress';
import type { BackfillJobFacts } from '../metrics/describe-backfill-progress';
import { parseEnv } from '../config/env';
import { gatePolicy } from '../gate/gate-policy';
import { statePool, targetPool } from '../db/pools';
import { getMigrationCharts, type MigrationCharts } from './get-migration-charts';
import { DEFAULT_CHART_RANGE, type ChartRange } from '../metrics/chart-range';
import { getPreflight } from './get-preflight';
import { JOB_SCHEMA, RUN_PHASE_QUEUE } from '../state/job-queue-names';
import type { ChecklistItem } from '../gate/preflight-checklist';

export interface MigrationSummary {
  id: number;
  title: string;
  status: MigrationRecord['status'];
  target: string;
  createdAt: Date;
  deployedAt: Date | null;
  seeded: boolean;
  backfill: (Pick<BackfillRecord, 'status' | 'batchSize' | 'worstBatchMs' | 'tableRows' | 'error' | 'updatedAt'> & { progress: BackfillProgressView }) | null;
  /** Its latest backfill job in the queue, so that a queued or retried backfill shows before (and beside) its saved progress. */
  backfillJob: BackfillJobFacts | null;
}

function summarize(m: MigrationListing, b: BackfillRecord | null, job: BackfillJobFacts | null): MigrationSummary {
  return {
    id: m.id,
    title: m.title,
    status: m.status,
    target: m.target,
    createdAt: m.createdAt,
    deployedAt: m.deployedAt,
    seeded: m.seeded,
    backfill: b
      ? {
          status: b.status,
          batchSize: b.batchSize,
          worstBatchMs: b.worstBatchMs,
          tableRows: b.tableRows,
          error: b.error,
          updatedAt: b.updatedAt,
          progress: backfillProgress(b),
        }
      : null,
    backfillJob: job,
  };
}

/** The latest backfill job of each migration (null: all of them) as pg-boss holds it, by migration id. */
export async function latestBackfillJobs(ids: number[] | null): Promise<Map<number, BackfillJobFacts>> {
  const { rows } = await statePool().query(
    `SELECT DISTINCT ON (migration_id) * FROM (
       SELECT (data ->> 'migrationId')::bigint AS migration_id, state::text, retry_count, retry_limit, data ->> 'actor' AS actor,
              coalesce(output ->> 'message', output #>> '{value,message}', output ->> 'error') AS last_error, created_on, start_after, completed_on
         FROM ${JOB_SCHEMA}.job WHERE name = $1 AND data ->> 'phase' = 'backfill') j
      WHERE $2::bigint[] IS NULL OR migration_id = ANY ($2::bigint[])
      ORDER BY migration_id, created_on DESC`,
    [RUN_PHASE_QUEUE, ids],
  );
  return new Map(
    rows.map((r) => [
      Number(r.migration_id),
      {
        state: r.state,
        attempt: Number(r.retry_count) + 1,
        attempts: Number(r.retry_limit) + 1,
        lastError: r.last_error ? String(r.last_error).split('\n')[0]!.slice(0, 300) : null,
        queuedBy: r.actor ?? null,
        queuedAt: r.created_on,
        startAfter: r.start_after,
        endedAt: r.completed_on ?? null,
      },
    ]),
  );
}

/** Every migration, newest first, or (`only`) that one alone: a deploy token scoped to one migration lists no other. */
export async function listMigrations(only: number | null = null): Promise<MigrationSummary[]> {
  const store = new StateStore(statePool());
  const [migrations, jobs] = await Promise.all([store.listMigrations(only), latestBackfillJobs(only === null ? null : [only])]);
  const backfills = await store.backfillsOf(migrations.map((m) => m.id));
  return migrations.map((m) => summarize(m, backfills.get(m.id) ?? null, jobs.get(m.id) ?? null));
}

export interface MigrationDetail extends MigrationSummary {
  phases: Awaited<ReturnType<StateStore['phaseRuns']>>;
  parity: Awaited<ReturnType<StateStore['latestParity']>>;
  gate: GateDecision;
  notes: string[];
  spec: MigrationRecord['spec'];
  schedule: MigrationRecord['schedule'];
  timeZone: string;
  deployedBy: string | null;
  /** The services whose error rates are its evidence; null: every service reporting. */
  services: string[] | null;
  charts: MigrationCharts;
  plan: MigrationRecord['plan'];
  preflight: ChecklistItem[];
  /** A phase of it waits in the job queue or runs there: the page keeps itself fresh meanwhile. */
  jobPending: boolean;
  /** When the buffer after the deploy mark ends, by the gate's policy (null: no deploy marked). */
  bufferEndsAt: Date | null;
  /** Open changes of the same table or column planned in an overlapping window. */
  scheduleClashes: ScheduleClash[];
  /** Its brownouts, newest first. */
  brownouts: BrownoutRecord[];
  /** Its contract waits for a clean brownout: asked of it, or of every migration (EC_REQUIRE_BROWNOUT). */
  requireBrownout: { migration: boolean; team: boolean };
}

/**
 * One migration as its page shows it, with the contract gate evaluated now, the way the contract
 * run would, and its charts over `range` (the page's range control).
 */
export async function getMigration(id: number, range: ChartRange = DEFAULT_CHART_RANGE): Promise<MigrationDetail> {
  const store = new StateStore(statePool());
  const env = parseEnv(process.env);
  const migration = await store.getMigration(id);
  const [backfill, phases, parity, jobs, timeZone] = await Promise.all([
    store.getBackfill(id),
    store.phaseRuns(id),
    store.latestParity(id),
    latestBackfillJobs([id]),
    store.teamTimeZone(),
  ]);
  const target = await targetPool().connect();
  try {
    const now = new Date();
    const {
      decision: gate,
      evidence,
      readers,
    } = await contractGate({ store, target, ...gatePolicy(env) }, migration, now, undefined, {
      backfill,
      parity,
      runs: phases,
    });
    const regressed = (evidence.errors?.phases ?? []).filter((p) => p.series.some((v) => v.regression)).map((p) => p.phase);
    // The charts read only the state database: they are summed while the checklist asks the target.
    const [charts, preflight] = await Promise.all([
      getMigrationCharts(statePool(), migration, now, regressed, range, { runs: phases, timeZone, ...readers }),
      getPreflight(statePool(), target, migration, phases, env.EC_SAMPLE_SECONDS, now),
    ]);
    return {
      ...summarize(migration, backfill, jobs.get(id) ?? null),
      phases,
      parity,
      gate,
      notes: migration.plan.notes,
      spec: migration.spec,
      schedule: migration.schedule,
      timeZone,
      deployedBy: migration.deployedBy,
      services: migration.services,
      charts,
      plan: migration.plan,
      preflight,
      jobPending: await phaseJobPending(id),
      bufferEndsAt: migration.deployedAt ? new Date(migration.deployedAt.getTime() + gatePolicy(env).bufferMinutes * 60_000) : null,
      scheduleClashes: await getScheduleClashes(statePool(), migration, now),
      brownouts: await migrationBrownouts(statePool(), id),
      requireBrownout: { migration: migration.requireBrownout, team: gatePolicy(env).requireBrownout },
    };
  } finally {
    target.release();
  }
}

async function phaseJobPending(id: number): Promise<boolean> {
  const { rows } = await statePool().query(
    `SELECT 1 FROM ${JOB_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active') AND data ->> 'migrationId' = $2 LIMIT 1`,
    [RUN_PHASE_QUEUE, String(id)],
  );
  return rows.length > 0;
}
