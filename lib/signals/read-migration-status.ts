import { backfillProgress } from '../metrics/backfill-progress';
import type { MigrationRecord } from '../state/records';
import { contractGate, type GateEvidenceDeps } from './gate-evidence';

/**
 * A migration's phases, backfill with its progress, latest parity check, use of the old column,
 * deploy and buffer, error rates around each phase and the contract gate, judged at `at` the way
 * the contract run would. One reading for every caller that reports a migration's state as
 * data (the HTTP API, `status --json`), so they cannot disagree; what each shows of it is theirs.
 */
export async function readMigrationStatus(deps: GateEvidenceDeps, migration: MigrationRecord, at: Date) {
  const { id } = migration;
  const [phases, backfill, parity] = await Promise.all([deps.store.phaseRuns(id), deps.store.getBackfill(id), deps.store.latestParity(id)]);
  const { decision: gate, legacy, evidence } = await contractGate(deps, migration, at, undefined, { backfill, parity, runs: phases });
  const bufferMinutes = evidence.buffer?.bufferMinutes ?? null;
  return {
    id,
    title: migration.title,
    status: migration.status,
    target: migration.target,
    phases,
    backfill: backfill && { ...backfill, progress: backfillProgress(backfill) },
    parity,
    legacy: legacy && {
      column: `${legacy.column.schema}.${legacy.column.table}.${legacy.column.column}`,
      window: legacy.window,
      reads: legacy.reads,
      writes: legacy.writes,
      unknown: legacy.unknown,
      coverage: legacy.coverage,
      servers: legacy.servers.map((s) => ({
        server: s.label,
        role: s.role,
        coverage: s.coverage,
        uses: s.uses,
        track: s.track,
        lagSeconds: s.lagSeconds === null ? null : Math.max(0, s.lagSeconds),
        lastError: s.lastError,
        failing: s.lastError !== null,
      })),
      blindSpots: legacy.blindSpots,
      statements: legacy.statements.map((st) => ({
        query: st.query,
        calls: st.calls,
        kind: st.kind,
        star: st.star,
        roles: st.roles,
        firstSeen: st.firstSeen,
        lastSeen: st.lastSeen,
      })),
      intervals: legacy.intervals,
    },
    deploy: {
      deployedAt: migration.deployedAt,
      deployedBy: migration.deployedBy,
      bufferMinutes,
      bufferEndsAt: migration.deployedAt && bufferMinutes !== null ? new Date(migration.deployedAt.getTime() + bufferMinutes * 60_000) : null,
    },
    errors: evidence.errors?.phases ?? [],
    gate,
  };
}

export type MigrationStatus = Awaited<ReturnType<typeof readMigrationStatus>>;
