import type { Pool } from 'pg';
import { operationFor } from '../migrations/operations';
import type { OperationSpec } from '../migrations/types';
import { parseSql, SqlSyntaxError } from '../sql/parse-sql';
import type { ColumnTarget, SchemaName } from './classify-statement';
import { classifyStatementDeep } from './classify-statement-deep';
import { readReplicaHosts } from './target-servers';

export type UsageKind = 'read' | 'write' | 'unknown';

export interface ClassifiedStatement {
  queryid: string;
  query: string;
  calls: number;
  kind: UsageKind;
  /** The read came only from SELECT * / t.* (still a read: the result changes shape). */
  star: boolean;
  /** It runs SQL built at run time (a DO block's EXECUTE): what that reads cannot be told. */
  dynamic: boolean;
  roles: string[];
  /** The servers it was run on (host:port/database). */
  servers: string[];
  /** First and last sampling interval in the window with calls of it. */
  firstSeen: Date;
  lastSeen: Date;
}

/** Calls of the legacy column per sampling interval (the interval ends at `at`), for a chart on the time axis. */
export interface UsageInterval {
  at: Date;
  reads: number;
  writes: number;
  unknown: number;
}

/** One server the window's reads could have been served by, and how well it was watched. */
export interface ServerCoverage {
  /** host:port/database */
  label: string;
  role: 'primary' | 'replica';
  /** Share of the window covered by this server's successful samples (0–1). */
  coverage: number;
  samples: number;
  /** Calls of statements that use the column, on this server. */
  uses: number;
  /** pg_stat_statements.track at its latest sample: `top` leaves statements inside functions uncounted. */
  track: string | null;
  /** A replica's replay lag at its latest sample, in seconds. */
  lagSeconds: number | null;
  /** Why its latest sample failed, when it did (a replica that is down). */
  lastError: string | null;
  lastSampleAt: Date | null;
}

export interface LegacyUsage {
  column: ColumnTarget;
  window: { from: Date; to: Date };
  reads: number;
  writes: number;
  unknown: number;
  statements: ClassifiedStatement[];
  intervals: UsageInterval[];
  /** Share of the window covered on the worst-covered server (0–1): zero reads needs every server watched. */
  coverage: number;
  samples: number;
  /** The primary first, then each read replica sampled in the window or named for the target. */
  servers: ServerCoverage[];
  /** What the evidence cannot see, named, e.g. statements inside functions under track = top. */
  blindSpots: string[];
  /** Calls of statements that run SQL built at run time and showed no use otherwise (counted in unknown too). */
  dynamic: number;
}

export interface LegacyUsageOptions {
  /** The sampler's period, to tell a sampled interval from a gap (default 30 s). */
  sampleEverySeconds?: number;
  /** Replica labels the caller knows of (TARGET_REPLICA_URLS), beside those the dashboard names and those sampled. */
  replicas?: readonly string[];
  /** Views on the target that read the column (directly, through `*` or another view): a read of one is a read of it. */
  readers?: readonly SchemaName[];
  /** Routines on the target whose bodies use the column: a call of one is a read of it. */
  readerFunctions?: readonly SchemaName[];
}

/** The column old code uses and the change will remove, as the operation says (set-not-null and add-column remove nothing). */
export const legacyColumn = (spec: OperationSpec): ColumnTarget | null => operationFor(spec).legacyColumn(spec);

// Statements are parsed once per process, keyed by their text (one queryid may name other texts on other targets).
const parsed = new Map<string, Promise<unknown[] | null>>();

function parseOnce(query: string): Promise<unknown[] | null> {
  let p = parsed.get(query);
  if (!p) {
    p = parseSql(query).then(
      (r) => r.statements.map((s) => s.stmt),
      (e: unknown) => {
        if (e instanceof SqlSyntaxError) return null;
        throw e;
      },
    );
    parsed.set(query, p);
  }
  return p;
}

/*
 * Statements that define schema objects rather than run against the column: CREATE VIEW, CREATE
 * FUNCTION, a policy, a trigger, an index. Their text names the column, but running them reads no
 * row of it; what they create is judged as a dependent in the catalog, every time the gate is.
 */
const DEFINITIONS = new Set([
  'ViewStmt',
  'CreateFunctionStmt',
  'CreatePolicyStmt',
  'AlterPolicyStmt',
  'RuleStmt',
  'CreateTrigStmt',
  'IndexStmt',
  'AlterTableStmt',
  'CommentStmt',
  'CreateStatsStmt',
]);
const isDefinition = (tree: unknown) => typeof tree === 'object' && tree !== null && Object.keys(tree).some((k) => DEFINITIONS.has(k));

/**
 * The servers a target's reads can be served by in a window: the primary, every replica named now
 * (in the dashboard, or known to the caller from TARGET_REPLICA_URLS) whether or not it was ever
 * reached, and every replica sampled for it in the window: one that served reads then still counts
 * after it is removed. A replica that only ever failed and is no longer named is not expected.
 */
async function windowServers(state: Pool, target: string, from: Date, to: Date, period: number, known: readonly string[]): Promise<string[]> {
  const { rows } = await state.query<{ target: string }>(
    `SELECT DISTINCT target FROM expand_contract.sampler_runs
      WHERE primary_target = $1 AND status IN ('ok', 'baseline') AND sampled_at >= $2::timestamptz - make_interval(secs => $4::int) AND sampled_at <= $3`,
    [target, from, to, period * 2],
  );
  const database = target.includes('/') ? target.slice(target.indexOf('/')) : '';
  const named = (await readReplicaHosts(state)).map((host) => `${host}${database}`);
  return [target, ...new Set([...rows.map((r) => r.target), ...named, ...known].filter((l) => l !== target).sort())];
}

/**
 * Who still uses the legacy column on this target between `from` and `to`, from the
 * sampler's statements on the primary and on every read replica: each classified by its
 * parse tree, with its calls in the window. Statements that do not parse are counted as
 * unknown, never dropped. Coverage is kept per server, so "zero reads" means every server
 * was watched, and the blind spots that remain are named.
 */
export async function legacyUsage(
  state: Pool,
  target: string,
  column: ColumnTarget,
  from: Date,
  to: Date,
  options: LegacyUsageOptions | number = {},
): Promise<LegacyUsage> {
  const { sampleEverySeconds = 30, replicas = [], readers, readerFunctions } = typeof options === 'number' ? { sampleEverySeconds: options } : options;
  const labels = await windowServers(state, target, from, to, sampleEverySeconds, replicas);
  const { rows } = await state.query<{
    queryid: string;
    query: string;
    calls: string;
    roles: string[];
    servers: string[];
    first_seen: Date;
    last_seen: Date;
  }>(
    // One queryid is the same statement on every server of a physical replication set (same OIDs).
    `SELECT c.queryid::text AS queryid, min(s.query) AS query, sum(c.calls)::text AS calls, array_agg(DISTINCT c.role ORDER BY c.role) AS roles,
            array_agg(DISTINCT c.target ORDER BY c.target) AS servers, min(c.sampled_at) AS first_seen, max(c.sampled_at) AS last_seen
       FROM expand_contract.statement_calls c JOIN expand_contract.statements s USING (target, queryid)
      WHERE c.target = ANY($1::text[]) AND c.sampled_at > $2 AND c.sampled_at <= $3
      GROUP BY c.queryid`,
    [labels, from, to],
  );
  const statements: ClassifiedStatement[] = [];
  for (const r of rows) {
    const trees = await parseOnce(r.query);
    let kind: UsageKind | null = null;
    let star = false;
    let dynamic = false;
    // No text (unreadable query file) or a text that does not parse: unknown, shown, never dropped.
    if (!trees || trees.length === 0) kind = 'unknown';
    else {
      for (const tree of trees) {
        if (isDefinition(tree)) continue;
        // Unqualified table names resolve against the table's own schema, wherever it lives. DO blocks are
        // read statement by statement; a view or routine that uses the column counts as the column.
        const usage = classifyStatementDeep(tree, column, { searchPath: [column.schema], readers, readerFunctions });
        if (usage.writes) kind = 'write';
        else if (usage.reads && kind !== 'write') kind = 'read';
        star ||= usage.star;
        dynamic ||= usage.dynamic;
      }
      // SQL built at run time that showed no use: not "no use", but unknown.
      if (dynamic && !kind) kind = 'unknown';
    }
    if (kind)
      statements.push({
        queryid: r.queryid,
        query: r.query,
        calls: Number(r.calls),
        kind,
        star,
        dynamic: dynamic && kind === 'unknown',
        roles: r.roles,
        servers: r.servers,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      });
  }
  statements.sort((a, b) => b.calls - a.calls);
  const sum = (k: UsageKind) => statements.filter((s) => s.kind === k).reduce((n, s) => n + s.calls, 0);

  // Per interval and per server, only the statements that use the column.
  const kinds = new Map(statements.map((st) => [st.queryid, st.kind]));
  const byInterval = await state.query<{ sampled_at: Date; target: string; queryid: string; calls: string }>(
    `SELECT sampled_at, target, queryid::text AS queryid, sum(calls)::text AS calls FROM expand_contract.statement_calls
      WHERE target = ANY($1::text[]) AND sampled_at > $2 AND sampled_at <= $3 AND queryid::text = ANY($4::text[])
      GROUP BY 1, 2, 3 ORDER BY 1`,
    [labels, from, to, [...kinds.keys()]],
  );
  const intervals: UsageInterval[] = [];
  const usesOn = new Map<string, number>();
  for (const r of byInterval.rows) {
    let last = intervals.at(-1);
    if (!last || last.at.getTime() !== r.sampled_at.getTime()) intervals.push((last = { at: r.sampled_at, reads: 0, writes: 0, unknown: 0 }));
    const kind = kinds.get(r.queryid)!;
    last[kind === 'read' ? 'reads' : kind === 'write' ? 'writes' : 'unknown'] += Number(r.calls);
    usesOn.set(r.target, (usesOn.get(r.target) ?? 0) + Number(r.calls));
  }

  const servers = await Promise.all(
    labels.map(async (label, i): Promise<ServerCoverage> => {
      const [covered, latest] = await Promise.all([
        samplerCoverage(state, label, from, to, sampleEverySeconds, i > 0),
        state.query<{ sampled_at: Date; status: string; error: string | null; track: string | null; lag_seconds: number | null }>(
          'SELECT sampled_at, status, error, track, lag_seconds FROM expand_contract.sampler_runs WHERE target = $1 AND sampled_at <= $2 ORDER BY sampled_at DESC LIMIT 1',
          [label, to],
        ),
      ]);
      const run = latest.rows[0];
      const track =
        run?.track ??
        (
          await state.query<{ track: string | null }>(
            "SELECT track FROM expand_contract.sampler_runs WHERE target = $1 AND status IN ('ok', 'baseline') AND sampled_at <= $2 AND track IS NOT NULL ORDER BY sampled_at DESC LIMIT 1",
            [label, to],
          )
        ).rows[0]?.track ??
        null;
      return {
        label,
        role: i === 0 ? 'primary' : 'replica',
        coverage: covered.coverage,
        samples: covered.samples,
        uses: usesOn.get(label) ?? 0,
        track,
        lagSeconds: run?.status === 'error' ? null : (run?.lag_seconds ?? null),
        lastError: run?.status === 'error' ? run.error : null,
        lastSampleAt: run?.sampled_at ?? null,
      };
    }),
  );
  const blindSpots = servers
    .filter((s) => s.track !== null && s.track !== 'all')
    .map(
      (s) =>
        `statements inside functions are not counted on ${s.role === 'primary' ? 'the primary' : `replica ${s.label}`}: pg_stat_statements.track = ${s.track} (set it to all)`,
    );
  return {
    column,
    window: { from, to },
    reads: sum('read'),
    writes: sum('write'),
    unknown: sum('unknown'),
    statements,
    intervals,
    coverage: Math.min(...servers.map((s) => s.coverage)),
    samples: servers[0]!.samples,
    servers,
    blindSpots,
    dynamic: statements.filter((st) => st.dynamic).reduce((n, st) => n + st.calls, 0),
  };
}

/**
 * How much of [from, to] the sampler observed: each successful sample vouches for the interval
 * since the one before it, if that gap was no longer than two sampling periods (a longer gap
 * means the sampler was down) and the interval lost no calls (evictions, a reset).
 */
export async function samplerCoverage(
  state: Pool,
  target: string,
  from: Date,
  to: Date,
  sampleEverySeconds = 30,
  /**
   * Judge up to this server's own last sample when it is recent: a replica is sampled beside the
   * primary, not at the instant the primary's last sample ends the window, and the seconds since
   * are not known yet rather than uncovered.
   */
  untilLastSample = false,
): Promise<{ coverage: number; samples: number }> {
  const runs = await state.query<{ sampled_at: Date; lossy: boolean }>(
    "SELECT sampled_at, lossy FROM expand_contract.sampler_runs WHERE target = $1 AND status IN ('ok', 'baseline') AND sampled_at >= $2::timestamptz - make_interval(secs => $4::int) AND sampled_at <= $3 ORDER BY sampled_at",
    [target, from, to, sampleEverySeconds * 2],
  );
  let covered = 0;
  const times = runs.rows.map((r) => r.sampled_at.getTime());
  const last = times.at(-1);
  if (untilLastSample && last !== undefined && last > from.getTime() && to.getTime() - last <= sampleEverySeconds * 2000) to = new Date(last);
  for (let i = 1; i < times.length; i += 1) {
    const start = Math.max(times[i - 1]!, from.getTime());
    const end = Math.min(times[i]!, to.getTime());
    if (end > start && !runs.rows[i]!.lossy && times[i]! - times[i - 1]! <= sampleEverySeconds * 2000) covered += end - start;
  }
  const span = Math.max(1, to.getTime() - from.getTime());
  return { coverage: Math.min(1, covered / span), samples: times.length };
}
