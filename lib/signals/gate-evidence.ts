import { evaluateGate, type GateDecision, type GateEvidence, type ParityEvidence } from '../gate/evaluate-gate';
import { evidenceSummary } from '../gate/evidence-summary';
import type { ClientBase } from 'pg';
import type { RegressionPolicy } from '../metrics/error-regression';
import type { BackfillRecord, MigrationRecord, ParityRecord, PhaseRunRecord } from '../state/records';
import type { StateStore } from '../state/state-store';
import { errorEvidence, type PhaseMark } from './error-evidence';
import { legacyColumn, legacyUsage, type LegacyUsage } from './legacy-usage';
import { readColumnDependents } from './read-column-dependents';
import { describeUrl } from '../db/connection-url';
import { columnReaders } from '../gate/column-readers';
import { describeDependent, type ColumnDependent } from '../gate/describe-dependent';
import { quoteIdent, quoteQualified } from '../migrations/quote';
import { brownoutsSince } from '../state/brownout-records';

/** What the gate's evidence is gathered from, and the policy it is judged by. */
export interface GateEvidenceDeps {
  store: StateStore;
  /** A dedicated connection to the target, closed by the caller. */
  target: ClientBase;
  /** Replaceable: the full gate (buffer, legacy reads, errors, approver) plugs in here. */
  gate?: (evidence: GateEvidence) => GateDecision;
  /**
   * Require the signals' evidence (default true): nothing uses the column the change removes,
   * the buffer since the deploy has passed, no phase raised error rates. Only tests about
   * something else turn this off.
   */
  signals?: boolean;
  /** How long after the deploy the contract must wait (default 4320 minutes: three days). */
  bufferMinutes?: number;
  /** When an error rate counts as a regression. */
  regression?: RegressionPolicy;
  /** The sampler's period, to tell a sampled interval from a gap (default 30 s). */
  sampleEverySeconds?: number;
  /** How long the old column must have been watched without use (default 1440 minutes: a day of hourly and daily jobs). */
  observationMinutes?: number;
  /** Read replicas the caller knows of, as host:port/database: watched beside those sampled and named in the dashboard. */
  replicas?: readonly string[];
  /** The same from TARGET_REPLICA_URLS: only their names are used. */
  replicaUrls?: readonly string[];
  /** EC_REQUIRE_BROWNOUT: every contract waits for a clean brownout (a migration may ask it for itself). */
  requireBrownout?: boolean;
}

/**
 * Dependents of the column the contract leaves to the team: everything readColumnDependents finds
 * except the views and policies the plan itself recreates on the new column in the contract (their
 * readers keep working after it, so reading them is not legacy use either).
 */
function unmovedDependents(dependents: ColumnDependent[], migration: MigrationRecord): ColumnDependent[] {
  const contract = migration.plan.steps
    .filter((s) => s.phase === 'contract')
    .map((s) => s.sql)
    .join('\n');
  return dependents.filter((d) =>
    d.kind === 'view'
      ? !contract.includes(`CREATE OR REPLACE VIEW ${quoteQualified(d.schema, d.name)}`)
      : d.kind === 'policy' && d.table
        ? !contract.includes(`ALTER POLICY ${quoteIdent(d.name)} ON ${quoteQualified(d.schema, d.table)}`)
        : true,
  );
}

/**
 * Use of the removed column, as the gate wants it: over the last `observationMinutes`
 * (not before the deploy, or the expand while no deploy is marked; the whole time since
 * then when 0), on the target and every read replica. First the target's catalog is read for
 * what uses the column (each a reason of its own, and the views and functions among them count
 * as the column when sampled statements read or call them): a DROP COLUMN notices none of the
 * functions, and sampling cannot see into them.
 */
async function legacyEvidenceWithUsage(
  deps: Pick<GateEvidenceDeps, 'store' | 'target' | 'sampleEverySeconds' | 'observationMinutes' | 'replicas' | 'replicaUrls'>,
  migration: MigrationRecord,
  at: Date,
  expandedAt: Date,
): Promise<{ evidence: NonNullable<GateEvidence['legacy']>; usage: LegacyUsage; readers: ReturnType<typeof columnReaders> } | undefined> {
  const column = legacyColumn(migration.spec);
  if (!column) return undefined;
  const since = migration.deployedAt ?? expandedAt;
  const required = deps.observationMinutes ?? 1440;
  const from = required > 0 ? new Date(Math.max(since.getTime(), at.getTime() - required * 60_000)) : since;
  // Judged up to the last sample, when it is recent: what happened since is not known yet, and calling
  // those seconds "not covered" would close the gate between every two samples. The contract run
  // samples right before it judges, so for the drop itself the two are the same moment.
  const period = deps.sampleEverySeconds ?? 30;
  const [dependents, last] = await Promise.all([
    readColumnDependents(deps.target, column).then((found) => unmovedDependents(found, migration)),
    deps.store.pool.query<{ at: Date | null }>(
      "SELECT max(sampled_at) AS at FROM expand_contract.sampler_runs WHERE target = $1 AND status IN ('ok', 'baseline') AND sampled_at <= $2",
      [migration.target, at],
    ),
  ]);
  const lastSample = last.rows[0]?.at;
  const until = lastSample && at.getTime() - lastSample.getTime() <= period * 2000 && lastSample > from ? lastSample : at;
  const readers = columnReaders(dependents);
  const usage = await legacyUsage(deps.store.pool, migration.target, column, from, until, {
    sampleEverySeconds: period,
    replicas: [...(deps.replicas ?? []), ...(deps.replicaUrls ?? []).map(describeUrl)],
    ...readers,
  });
  const evidence = {
    required: true,
    column: `${column.schema}.${column.table}.${column.column}`,
    reads: usage.reads,
    writes: usage.writes,
    unknown: usage.unknown,
    coverage: usage.coverage,
    observedMinutes: (at.getTime() - since.getTime()) / 60_000,
    requiredMinutes: required,
    observedSince: migration.deployedAt ? ('deploy' as const) : ('expand' as const),
    dependents: dependents.map((d) => describeDependent(d, column)),
    servers: usage.servers.map(({ label, role, coverage, uses, lastError }) => ({ label, role, coverage, uses, lastError })),
    blindSpots: usage.blindSpots,
    dynamic: usage.dynamic,
  };
  return { evidence, usage, readers };
}

/**
 * The state a gate starts from, when the caller has read it already (the migration page), or for
 * many migrations at once (the home page's waiting list): read at the same moment as the gate.
 */
export interface GateFacts {
  backfill: BackfillRecord | null;
  parity: ParityRecord | null;
  runs: PhaseRunRecord[];
}

/**
 * The contract gate for a migration, from all its evidence: the one place the contract run,
 * `status` and the migration page get their decision from. `parity` is a fresh measurement
 * when the contract run made one; otherwise the latest recorded one counts.
 */
export async function contractGate(
  deps: GateEvidenceDeps,
  migration: MigrationRecord,
  at: Date,
  parity?: ParityEvidence,
  known?: GateFacts,
): Promise<{
  decision: GateDecision;
  legacy: LegacyUsage | null;
  evidence: GateEvidence;
  /** The views and routines through which the column is read, for charts of the same use over another span. */
  readers: ReturnType<typeof columnReaders> | null;
}> {
  const backfill = known ? known.backfill : await deps.store.getBackfill(migration.id);
  const latest = parity ?? (known ? known.parity : await deps.store.latestParity(migration.id));
  const signals = deps.signals !== false;
  const runs = known ? known.runs : await deps.store.phaseRuns(migration.id);
  const expandedAt = runs.find((r) => r.phase === 'expand' && r.status === 'succeeded')?.startedAt ?? migration.createdAt;
  const marks: PhaseMark[] = [{ phase: 'expand', at: expandedAt }];
  if (migration.deployedAt) marks.push({ phase: 'deploy', at: migration.deployedAt });
  // Independent reads, asked at once: the page waits for the slowest, not for their sum.
  const [legacy, errors, approval, brownouts] = await Promise.all([
    signals ? legacyEvidenceWithUsage(deps, migration, at, expandedAt) : undefined,
    signals ? errorEvidence(deps.store.pool, migration.target, marks, at, deps.regression, migration.services) : undefined,
    migration.authorId ? latestContractApproval(deps.store, migration, at) : undefined,
    migration.deployedAt ? brownoutsSince(deps.store.pool, migration.id, migration.deployedAt) : [],
  ]);
  const ended = brownouts.find((b) => b.status === 'clean' || b.status === 'reverted');
  const evidence: GateEvidence = {
    now: at,
    backfill: { required: !!migration.plan.backfill, done: backfill?.status === 'done' },
    parity: {
      required: !!migration.plan.parity,
      latest: latest
        ? { mismatched: latest.mismatched, checkedAt: latest.checkedAt, rowsChecked: latest.rowsChecked, tableRows: latest.tableRows, lossy: latest.lossy }
        : null,
    },
    legacy: legacy?.evidence,
    buffer: signals ? { required: true, deployedAt: migration.deployedAt, bufferMinutes: deps.bufferMinutes ?? 4320 } : undefined,
    errors: errors ? { required: true, ...errors } : undefined,
    brownout: {
      required: migration.requireBrownout || deps.requireBrownout === true,
      deployedAt: migration.deployedAt,
      running: brownouts.some((b) => b.status === 'running' || b.status === 'queued'),
      latest: ended
        ? { status: ended.status as 'clean' | 'reverted', startedAt: ended.startedAt!, seconds: ended.seconds, outcome: ended.outcome ?? ended.status }
        : null,
    },
  };
  if (approval !== undefined) evidence.approval = { required: true, summary: evidenceSummary(evidence), latest: approval };
  const decision = (deps.gate ?? evaluateGate)(evidence);
  return { decision, legacy: legacy?.usage ?? null, evidence, readers: legacy?.readers ?? null };
}

/** The latest contract approval, judged now: by whom, on which evidence, and whether they are on call. */
async function latestContractApproval(store: StateStore, migration: MigrationRecord, at: Date): Promise<NonNullable<GateEvidence['approval']>['latest']> {
  const { rows } = await store.pool.query(
    `SELECT u.email, a.created_at, a.evidence_fingerprint, a.approver_id = expand_contract.on_call_at($2) AS on_call, a.approver_id = m.author_id AS is_author
       FROM expand_contract.approvals a JOIN expand_contract.users u ON u.id = a.approver_id JOIN expand_contract.migrations m ON m.id = a.migration_id
      WHERE a.migration_id = $1 AND a.kind = 'contract' ORDER BY a.created_at DESC, a.id DESC LIMIT 1`,
    [migration.id, at],
  );
  const r = rows[0];
  return r
    ? { approver: r.email, at: r.created_at, summary: r.evidence_fingerprint, approverOnCall: r.on_call === true, approverIsAuthor: r.is_author === true }
    : null;
}
