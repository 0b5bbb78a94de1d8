import type { Schedule } from '../timeline/propose-schedule';
import type { MigrationState, RunPhase } from '../lifecycle/migration-states';
import type { OperationSpec, Plan } from '../migrations/types';

/** The states and phases are the lifecycle's (lib/lifecycle/migration-states.ts); the store only records them. */
export type MigrationStatus = MigrationState;
export type { RunPhase };

export interface MigrationRecord {
  id: number;
  planId: string;
  slug: string;
  title: string;
  spec: OperationSpec;
  plan: Plan;
  target: string;
  targetIdentity: string | null;
  status: MigrationStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** When code using the new column was marked deployed: the buffer before contract counts from here. */
  deployedAt: Date | null;
  deployedBy: string | null;
  /** The person who created it in the dashboard; null when created from the command line (no approvals needed). */
  authorId: string | null;
  /** When its phases are planned (team rhythm, editable). */
  schedule: Schedule | null;
  /** Demo history written to the state database only: shown, never run. */
  seeded: boolean;
  /** The services whose error rates are its evidence; null: every service reporting. */
  services: string[] | null;
  /** Its contract waits for one clean brownout after the deploy (EC_REQUIRE_BROWNOUT asks it of every migration). */
  requireBrownout: boolean;
}

export interface BackfillRecord {
  migrationId: number;
  status: 'running' | 'paused' | 'cancelled' | 'done' | 'failed';
  requested: 'pause' | 'cancel' | null;
  cursor: string[] | null;
  rowsScanned: number;
  rowsChanged: number;
  batches: number;
  batchSize: number;
  estimatedTotal: number | null;
  lastBatchMs: number | null;
  worstBatchMs: number | null;
  rowsPerSecond: number | null;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** The table's exact row count when the backfill finished, beside the rows it scanned; null until then. */
  tableRows: number | null;
}

/** The latest parity check, as recorded. */
export interface ParityRecord {
  mismatched: number;
  rowsChecked: number;
  /** Rows the table held throughout the check (exact counts at its start and end); null for checks recorded before they were counted. */
  tableRows: number | null;
  /** Rows whose old value would not survive the contract, with samples; null when the change has no way back to check. */
  lossy: LossyRows | null;
  durationMs: number;
  checkedAt: Date;
}

export interface LossyRows {
  rows: number;
  /** A few distinct old values and what they would become (both as text; NULL is null). */
  samples: { old: string | null; becomes: string | null }[];
}

type Row = Record<string, unknown>;

/** A migration as lists show it: everything but its plan, the one large column (its SQL), which no list draws. */
export type MigrationListing = Omit<MigrationRecord, 'plan'>;

/** The columns of a listing, for SELECT. */
export const LISTING_COLUMNS =
  'id, plan_id, slug, title, spec, target, target_identity, status, created_by, created_at, updated_at, deployed_at, deployed_by, author_id, schedule, seeded, services, require_brownout';

export const toMigration = (r: Row): MigrationRecord => ({ ...toListing(r), plan: r.plan as Plan });

export const toListing = (r: Row): MigrationListing => ({
  id: Number(r.id),
  planId: r.plan_id as string,
  slug: r.slug as string,
  title: r.title as string,
  spec: r.spec as OperationSpec,
  target: r.target as string,
  targetIdentity: (r.target_identity as string | null) ?? null,
  status: r.status as MigrationStatus,
  createdBy: r.created_by as string,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  deployedAt: (r.deployed_at as Date | null) ?? null,
  deployedBy: (r.deployed_by as string | null) ?? null,
  authorId: (r.author_id as string | null) ?? null,
  schedule: parseSchedule(r.schedule),
  seeded: r.seeded === true,
  services: (r.services as string[] | null) ?? null,
  requireBrownout: r.require_brownout === true,
});

/** Stored as JSON (ISO strings); null when absent or malformed. */
export function parseSchedule(value: unknown): Schedule | null {
  const v = value as Record<string, string> | null;
  if (!v || !v.expandAt || !v.deployAt || !v.monitorFrom || !v.contractAt) return null;
  return { expandAt: new Date(v.expandAt), deployAt: new Date(v.deployAt), monitorFrom: new Date(v.monitorFrom), contractAt: new Date(v.contractAt) };
}

export const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export const toBackfill = (r: Row): BackfillRecord => ({
  migrationId: Number(r.migration_id),
  status: r.status as BackfillRecord['status'],
  requested: (r.requested as BackfillRecord['requested']) ?? null,
  cursor: (r.cursor as string[] | null) ?? null,
  rowsScanned: Number(r.rows_scanned),
  rowsChanged: Number(r.rows_changed),
  batches: Number(r.batches),
  batchSize: Number(r.batch_size),
  estimatedTotal: num(r.estimated_total),
  lastBatchMs: num(r.last_batch_ms),
  worstBatchMs: num(r.worst_batch_ms),
  rowsPerSecond: num(r.rows_per_second),
  error: (r.error as string | null) ?? null,
  startedAt: r.started_at as Date,
  updatedAt: r.updated_at as Date,
  finishedAt: (r.finished_at as Date | null) ?? null,
  tableRows: num(r.table_rows),
});

export interface PhaseRunRecord {
  id: number;
  phase: RunPhase;
  /** As the state schema's CHECK allows. */
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'paused';
  /** supabase-cli: applied with `supabase db push` and seen in the target's migration history. */
  source: 'executor' | 'supabase-cli';
  historyVersion: string | null;
  actor: string;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export const toPhaseRun = (r: Record<string, unknown>): PhaseRunRecord => ({
  id: Number(r.id),
  phase: r.phase as RunPhase,
  status: r.status as PhaseRunRecord['status'],
  source: r.source as PhaseRunRecord['source'],
  historyVersion: r.history_version as string | null,
  actor: r.actor as string,
  error: r.error as string | null,
  startedAt: r.started_at as Date,
  finishedAt: r.finished_at as Date | null,
});
