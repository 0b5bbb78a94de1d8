import type { Pool, PoolClient } from 'pg';
import type { Plan } from '../migrations/types';
import { DeployNotAllowedError, MigrationAlreadyOpenError, MigrationNotFoundError } from './errors';
import { lockMigrationForTransaction } from './migration-lock';
import {
  num,
  toBackfill,
  toMigration,
  toListing,
  LISTING_COLUMNS,
  type MigrationListing,
  toPhaseRun,
  type BackfillRecord,
  type LossyRows,
  type MigrationRecord,
  type MigrationStatus,
  type ParityRecord,
  type PhaseRunRecord,
} from './records';
import { withTransaction } from '../db/transaction';
import { proposeScheduleFor } from './propose-schedule-for';
import { SQL_STATE, sqlState } from '../db/sql-state';
import { teamTimeZone } from './team-time-zone';

/** The executor's reads and writes in the state database (schema expand_contract). */
export class StateStore {
  constructor(readonly pool: Pool) {}

  /** The team's time zone (settings), for schedules and the timeline. */
  async teamTimeZone(): Promise<string> {
    return teamTimeZone(this.pool);
  }

  async createMigration(plan: Plan, target: string, targetIdentity: string | null = null, services: string[] | null = null): Promise<MigrationRecord> {
    try {
      // The proposal and the insert share one transaction: the proposal's lock holds until the slot is taken.
      return await withTransaction(this.pool, async (client) => {
        const schedule = await proposeScheduleFor(client, plan.operation);
        const { rows } = await client.query(
          `INSERT INTO expand_contract.migrations (plan_id, slug, title, spec, plan, target, target_identity, schedule, services) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
          [plan.id, plan.slug, plan.title, JSON.stringify(plan.operation), JSON.stringify(plan), target, targetIdentity, JSON.stringify(schedule), services],
        );
        return toMigration(rows[0]!);
      });
    } catch (error) {
      if (sqlState(error) !== SQL_STATE.uniqueViolation) throw error;
      const { rows } = await this.pool.query(
        `SELECT id FROM expand_contract.migrations WHERE target = $1 AND plan_id = $2 AND status NOT IN ('contracted', 'rolled_back', 'restored', 'cancelled')`,
        [target, plan.id],
      );
      throw new MigrationAlreadyOpenError(plan.id, Number(rows[0]?.id));
    }
  }

  async getMigration(id: number, db: Pool | PoolClient = this.pool): Promise<MigrationRecord> {
    const { rows } = await db.query('SELECT * FROM expand_contract.migrations WHERE id = $1', [id]);
    if (!rows[0]) throw new MigrationNotFoundError(id);
    return toMigration(rows[0]);
  }

  /**
   * Every migration, newest first, without plans: the timeline and the list draw two hundred of
   * them on every load. `only`: that one migration alone (none if it does not exist), for a token
   * scoped to it; the others are never read.
   */
  async listMigrations(only: number | null = null): Promise<MigrationListing[]> {
    const { rows } = await this.pool.query(`SELECT ${LISTING_COLUMNS} FROM expand_contract.migrations WHERE $1::bigint IS NULL OR id = $1 ORDER BY id DESC`, [
      only,
    ]);
    return rows.map(toListing);
  }

  /**
   * Marks the deploy of code that uses the new column. Only an expanded migration can be
   * deployed; marking again keeps the first time (a re-run CD pipeline must not restart the buffer).
   */
  /** `db`: a client acting as a person (withActor), so the database's rules judge the write too. */
  async markDeployed(id: number, by: string, at: Date = new Date(), db: Pool | PoolClient = this.pool): Promise<MigrationRecord> {
    const { rows } = await db.query(
      `UPDATE expand_contract.migrations SET deployed_at = coalesce(deployed_at, $2), deployed_by = coalesce(deployed_by, $3), updated_at = now()
        WHERE id = $1 AND status IN ('expanded', 'backfilled') RETURNING *`,
      [id, at, by],
    );
    if (rows[0]) return toMigration(rows[0]);
    const current = await this.getMigration(id, db);
    throw new DeployNotAllowedError(id, current.status);
  }

  /**
   * Takes back a deploy marked by mistake (before contract): the buffer and the legacy-use
   * window start again at the next mark. Returns when it had been marked, or null if it was not.
   */
  async unmarkDeployed(id: number, db: Pool | PoolClient = this.pool): Promise<{ deployedAt: Date; deployedBy: string } | null> {
    if (!('release' in db)) {
      // A pool: one transaction of our own, so the lock below lasts until the change commits.
      return withTransaction(db, (client) => this.unmarkDeployed(id, client));
    }
    // Not while a phase runs: a contract must not drop the column on a deploy mark taken back meanwhile.
    await lockMigrationForTransaction(db, id);
    const { rows } = await db.query(
      `UPDATE expand_contract.migrations m SET deployed_at = NULL, deployed_by = NULL, updated_at = now()
         FROM (SELECT id, deployed_at, deployed_by FROM expand_contract.migrations WHERE id = $1 FOR UPDATE) old
        WHERE m.id = old.id AND m.status IN ('expanded', 'backfilled') AND old.deployed_at IS NOT NULL
        RETURNING old.deployed_at, old.deployed_by`,
      [id],
    );
    if (rows[0]) return { deployedAt: rows[0].deployed_at, deployedBy: rows[0].deployed_by };
    const current = await this.getMigration(id, db);
    if (current.status !== 'expanded' && current.status !== 'backfilled') throw new DeployNotAllowedError(id, current.status);
    return null;
  }

  async setStatus(id: number, status: MigrationStatus): Promise<void> {
    await this.pool.query('UPDATE expand_contract.migrations SET status = $2, updated_at = now() WHERE id = $1', [id, status]);
  }

  /** Forgets a migration's backfill: an expand after a rollback starts it from scratch. */
  async resetBackfill(migrationId: number): Promise<void> {
    await this.pool.query('DELETE FROM expand_contract.backfills WHERE migration_id = $1', [migrationId]);
  }

  /** Runs still marked running while we hold the migration's lock were cut off (crash, kill): say so. */
  async markInterrupted(migrationId: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE expand_contract.phase_runs SET status = 'failed', error = 'interrupted: the process running it stopped', finished_at = now()
        WHERE migration_id = $1 AND status = 'running'`,
      [migrationId],
    );
    await this.pool.query(
      `UPDATE expand_contract.backfills SET status = 'failed', requested = NULL, error = 'interrupted: the process running it stopped', updated_at = now()
        WHERE migration_id = $1 AND status = 'running'`,
      [migrationId],
    );
    return rowCount ?? 0;
  }

  async phaseRuns(migrationId: number) {
    return (await this.phaseRunsOf([migrationId])).get(migrationId) ?? [];
  }

  /** The phase runs of many migrations in one query (the timeline draws them all), by migration id. */
  async phaseRunsOf(migrationIds: number[]) {
    const { rows } = await this.pool.query(
      'SELECT migration_id, id, phase, status, source, history_version, actor, error, started_at, finished_at FROM expand_contract.phase_runs WHERE migration_id = ANY ($1::bigint[]) ORDER BY started_at, id',
      [migrationIds],
    );
    const byMigration = new Map<number, PhaseRunRecord[]>();
    for (const r of rows) {
      const id = Number(r.migration_id);
      if (!byMigration.has(id)) byMigration.set(id, []);
      byMigration.get(id)!.push(toPhaseRun(r));
    }
    return byMigration;
  }

  async recordStep(
    phaseRunId: number,
    stepId: string,
    outcome: { status: 'succeeded' | 'failed'; attempts: number; blockedBy?: unknown; error?: string; startedAt: Date },
  ) {
    await this.pool.query(
      `INSERT INTO expand_contract.step_runs (phase_run_id, step_id, attempts, status, blocked_by, error, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
      [
        phaseRunId,
        stepId,
        outcome.attempts,
        outcome.status,
        outcome.blockedBy ? JSON.stringify(outcome.blockedBy) : null,
        outcome.error ?? null,
        outcome.startedAt,
      ],
    );
  }

  async getBackfill(migrationId: number): Promise<BackfillRecord | null> {
    return (await this.backfillsOf([migrationId])).get(migrationId) ?? null;
  }

  /** The backfills of many migrations in one query (lists and the home page's gates), by migration id. */
  async backfillsOf(migrationIds: number[]): Promise<Map<number, BackfillRecord>> {
    const { rows } = await this.pool.query('SELECT * FROM expand_contract.backfills WHERE migration_id = ANY ($1::bigint[])', [migrationIds]);
    return new Map(rows.map((r) => [Number(r.migration_id), toBackfill(r)]));
  }

  /** Many migrations by id in one query; ids that do not exist are simply absent. */
  async migrationsOf(ids: number[]): Promise<Map<number, MigrationRecord>> {
    const { rows } = await this.pool.query('SELECT * FROM expand_contract.migrations WHERE id = ANY ($1::bigint[])', [ids]);
    return new Map(rows.map((r) => [Number(r.id), toMigration(r)]));
  }

  /** Starts a backfill, or picks up the one that was interrupted, keeping its cursor and counts. */
  async openBackfill(migrationId: number, batchSize: number, estimatedTotal: number | null): Promise<BackfillRecord> {
    const { rows } = await this.pool.query(
      `INSERT INTO expand_contract.backfills (migration_id, batch_size, estimated_total) VALUES ($1, $2, $3)
       ON CONFLICT (migration_id) DO UPDATE SET status = 'running', requested = NULL, error = NULL, finished_at = NULL, table_rows = NULL,
         estimated_total = EXCLUDED.estimated_total, updated_at = now(),
         -- After a cancel the cursor is gone and the walk starts over: so do the counters.
         rows_scanned = CASE WHEN backfills.status = 'cancelled' THEN 0 ELSE backfills.rows_scanned END,
         rows_changed = CASE WHEN backfills.status = 'cancelled' THEN 0 ELSE backfills.rows_changed END,
         batches = CASE WHEN backfills.status = 'cancelled' THEN 0 ELSE backfills.batches END,
         started_at = CASE WHEN backfills.status = 'cancelled' THEN now() ELSE backfills.started_at END
       RETURNING *`,
      [migrationId, batchSize, estimatedTotal],
    );
    return toBackfill(rows[0]!);
  }

  /** After every committed batch: the cursor a restart resumes from. Returns what was requested meanwhile. */
  async saveBatch(
    migrationId: number,
    batch: { cursor: string[]; scanned: number; changed: number; ms: number; batchSize: number; rowsPerSecond: number },
  ): Promise<'pause' | 'cancel' | null> {
    const { rows } = await this.pool.query(
      `UPDATE expand_contract.backfills SET cursor = $2, rows_scanned = rows_scanned + $3, rows_changed = rows_changed + $4,
              batches = batches + 1, last_batch_ms = $5, worst_batch_ms = greatest(coalesce(worst_batch_ms, 0), $5),
              batch_size = $6, rows_per_second = $7, updated_at = now()
        WHERE migration_id = $1 RETURNING requested`,
      [migrationId, batch.cursor, batch.scanned, batch.changed, batch.ms, batch.batchSize, batch.rowsPerSecond],
    );
    return (rows[0]?.requested as 'pause' | 'cancel' | null) ?? null;
  }

  /** `tableRows`: the table's row count when a backfill is done, kept beside the rows it scanned. */
  async finishBackfill(migrationId: number, status: 'done' | 'paused' | 'cancelled' | 'failed', error?: string, tableRows?: number) {
    await this.pool.query(
      `UPDATE expand_contract.backfills SET status = $2, requested = NULL, error = $3, updated_at = now(),
              finished_at = CASE WHEN $2 IN ('done', 'cancelled', 'failed') THEN now() END,
              cursor = CASE WHEN $2 = 'cancelled' THEN NULL ELSE cursor END,
              table_rows = coalesce($4, table_rows)
        WHERE migration_id = $1`,
      [migrationId, status, error ?? null, tableRows ?? null],
    );
  }

  /** Pause or cancel: the running backfill sees it after its current batch or the next one (each batch's save, which answers it, lands while the next batch runs). */
  async requestBackfill(migrationId: number, request: 'pause' | 'cancel', db: Pool | PoolClient = this.pool): Promise<boolean> {
    const { rowCount } = await db.query(
      // A cancel overrides a pause; a pause never overrides a pending cancel.
      `UPDATE expand_contract.backfills SET requested = $2, updated_at = now() WHERE migration_id = $1 AND status = 'running' AND ($2 = 'cancel' OR requested IS DISTINCT FROM 'cancel')`,
      [migrationId, request],
    );
    return (rowCount ?? 0) > 0;
  }

  async recordParity(migrationId: number, result: Omit<ParityRecord, 'checkedAt'>) {
    await this.pool.query(
      'INSERT INTO expand_contract.parity_checks (migration_id, mismatched, rows_checked, duration_ms, table_rows, lossy_rows, lossy_samples) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        migrationId,
        result.mismatched,
        result.rowsChecked,
        result.durationMs,
        result.tableRows,
        result.lossy?.rows ?? null,
        result.lossy ? JSON.stringify(result.lossy.samples) : null,
      ],
    );
  }

  async latestParity(migrationId: number): Promise<ParityRecord | null> {
    return (await this.latestParityOf([migrationId])).get(migrationId) ?? null;
  }

  /** The latest parity check of each of many migrations, in one query, by migration id. */
  async latestParityOf(migrationIds: number[]): Promise<Map<number, ParityRecord>> {
    const { rows } = await this.pool.query(
      `SELECT DISTINCT ON (migration_id) migration_id, mismatched, rows_checked, duration_ms, checked_at, table_rows, lossy_rows, lossy_samples
         FROM expand_contract.parity_checks WHERE migration_id = ANY ($1::bigint[]) ORDER BY migration_id, checked_at DESC`,
      [migrationIds],
    );
    return new Map(
      rows.map((r) => [
        Number(r.migration_id),
        {
          mismatched: Number(r.mismatched),
          rowsChecked: Number(r.rows_checked),
          tableRows: num(r.table_rows),
          lossy: r.lossy_rows === null ? null : { rows: Number(r.lossy_rows), samples: (r.lossy_samples as LossyRows['samples'] | null) ?? [] },
          durationMs: Number(r.duration_ms),
          checkedAt: r.checked_at as Date,
        },
      ]),
    );
  }
}
