import type { Pool } from 'pg';
import { operationFor } from '../migrations/operations';
import type { OperationSpec } from '../migrations/types';
import { parseSql, SqlSyntaxError } from '../sql/parse-sql';
import { classifyStatement, type ColumnTarget } from './classify-statement';

export type UsageKind = 'read' | 'write' | 'unknown';

export interface ClassifiedStatement {
  queryid: string;
  query: string;
  calls: number;
  kind: UsageKind;
  /** The read came only from SELECT * / t.* (still a read: the result changes shape). */
  star: boolean;
  roles: string[];
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

export interface LegacyUsage {
  column: ColumnTarget;
  window: { from: Date; to: Date };
  reads: number;
  writes: number;
  unknown: number;
  statements: ClassifiedStatement[];
  intervals: UsageInterval[];
  /** Share of the window covered by successful samples (0–1). */
  coverage: number;
  samples: number;
}

/** The column old code uses and the change will remove, as the operation says (set-not-null and add-column remove nothing). */
export const legacyColumn = (spec: OperationSpec): ColumnTarget | null => operationFor(spec).legacyColumn(spec);

// Statements are parsed once per process; the text of a queryid never changes.
const parsed = new Map<string, Promise<unknown[] | null>>();

function parseOnce(queryid: string, query: string): Promise<unknown[] | null> {
  let p = parsed.get(queryid);
  if (!p) {
    p = parseSql(query).then(
      (r) => r.statements.map((s) => s.stmt),
      (e: unknown) => {
        if (e instanceof SqlSyntaxError) return null;
        throw e;
      },
    );
    parsed.set(queryid, p);
  }
  return p;
}

/**
 * Who still uses the legacy column on this target between `from` and `to`, from the
 * sampler's statements: each classified by its parse tree, with its calls in the window.
 * Statements that do not parse are counted as unknown, never dropped. Coverage says how
 * much of the window the sampler actually observed, so "zero reads" means something.
 */
export async function legacyUsage(state: Pool, target: string, column: ColumnTarget, from: Date, to: Date, sampleEverySeconds = 30): Promise<LegacyUsage> {
  const { rows } = await state.query<{ queryid: string; query: string; calls: string; roles: string[]; first_seen: Date; last_seen: Date }>(
    `SELECT s.queryid::text AS queryid, s.query, sum(c.calls)::text AS calls, array_agg(DISTINCT c.role ORDER BY c.role) AS roles,
            min(c.sampled_at) AS first_seen, max(c.sampled_at) AS last_seen
       FROM expand_contract.statement_calls c JOIN expand_contract.statements s USING (target, queryid)
      WHERE c.target = $1 AND c.sampled_at > $2 AND c.sampled_at <= $3
      GROUP BY s.queryid, s.query`,
    [target, from, to],
  );
  const statements: ClassifiedStatement[] = [];
  for (const r of rows) {
    const trees = await parseOnce(`${target}:${r.queryid}`, r.query);
    let kind: UsageKind | null = null;
    let star = false;
    // No text (unreadable query file) or a text that does not parse: unknown, shown, never dropped.
    if (!trees || trees.length === 0) kind = 'unknown';
    else {
      for (const tree of trees) {
        // Unqualified table names resolve against the table's own schema, wherever it lives.
        const usage = classifyStatement(tree, column, { searchPath: [column.schema] });
        if (usage.writes) kind = 'write';
        else if (usage.reads && kind !== 'write') kind = 'read';
        star ||= usage.star;
      }
    }
    if (kind)
      statements.push({
        queryid: r.queryid,
        query: r.query,
        calls: Number(r.calls),
        kind,
        star,
        roles: r.roles,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      });
  }
  statements.sort((a, b) => b.calls - a.calls);
  const sum = (k: UsageKind) => statements.filter((s) => s.kind === k).reduce((n, s) => n + s.calls, 0);

  // Per interval, only the statements that use the column.
  const kinds = new Map(statements.map((st) => [st.queryid, st.kind]));
  const byInterval = await state.query<{ sampled_at: Date; queryid: string; calls: string }>(
    `SELECT sampled_at, queryid::text AS queryid, sum(calls)::text AS calls FROM expand_contract.statement_calls
      WHERE target = $1 AND sampled_at > $2 AND sampled_at <= $3 AND queryid::text = ANY($4::text[])
      GROUP BY 1, 2 ORDER BY 1`,
    [target, from, to, [...kinds.keys()]],
  );
  const intervals: UsageInterval[] = [];
  for (const r of byInterval.rows) {
    let last = intervals.at(-1);
    if (!last || last.at.getTime() !== r.sampled_at.getTime()) intervals.push((last = { at: r.sampled_at, reads: 0, writes: 0, unknown: 0 }));
    const kind = kinds.get(r.queryid)!;
    last[kind === 'read' ? 'reads' : kind === 'write' ? 'writes' : 'unknown'] += Number(r.calls);
  }

  const { coverage, samples } = await samplerCoverage(state, target, from, to, sampleEverySeconds);
  return {
    column,
    window: { from, to },
    reads: sum('read'),
    writes: sum('write'),
    unknown: sum('unknown'),
    statements,
    intervals,
    coverage,
    samples,
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
): Promise<{ coverage: number; samples: number }> {
  const runs = await state.query<{ sampled_at: Date; lossy: boolean }>(
    "SELECT sampled_at, lossy FROM expand_contract.sampler_runs WHERE target = $1 AND status IN ('ok', 'baseline') AND sampled_at >= $2::timestamptz - make_interval(secs => $4::int) AND sampled_at <= $3 ORDER BY sampled_at",
    [target, from, to, sampleEverySeconds * 2],
  );
  let covered = 0;
  const times = runs.rows.map((r) => r.sampled_at.getTime());
  for (let i = 1; i < times.length; i += 1) {
    const start = Math.max(times[i - 1]!, from.getTime());
    const end = Math.min(times[i]!, to.getTime());
    if (end > start && !runs.rows[i]!.lossy && times[i]! - times[i - 1]! <= sampleEverySeconds * 2000) covered += end - start;
  }
  const span = Math.max(1, to.getTime() - from.getTime());
  return { coverage: Math.min(1, covered / span), samples: times.length };
}
