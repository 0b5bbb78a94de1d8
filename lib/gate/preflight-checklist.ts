import { rowSecurityProblem, type RowAccessFacts } from './row-security-problem';

/**
 * The questions every migration must answer before it runs, answered from evidence.
 * Pure: the page gathers the facts, this says yes, no or unknown and why.
 */

export type Answer = 'yes' | 'no' | 'unknown';

export interface PreflightFacts {
  rollbackSteps: number;
  /** Phases of this migration that ran and whether a rollback ever ran here. */
  rollbackRan: boolean;
  /** Breaking-change findings in the expand SQL (what old code would hit). */
  expandFindings: string[];
  table: { rows: number | null; bytes: number } | null;
  /** Measured backfill speed on this target (rows/s), from the fastest recent backfill. */
  measuredRowsPerSecond: number | null;
  /** Lock level → step ids that take it, strongest first. */
  locks: { lock: string; steps: number }[];
  schedule: { expandAt: Date; contractAt: Date; deployAt: Date } | null;
  /** When the expand and the contract last ran to success (null: not yet): what happened outranks the plan. */
  ran: { expand: Date | null; contract: Date | null };
  /** Share of the last hour the pg_stat_statements sampler covered (0–1), null when it never ran. */
  samplerCoverage: number | null;
  /** Servers whose latest sample saw pg_stat_statements.track other than `all`, with the setting (empty when unknown). */
  trackNotAll?: { server: string; track: string }[];
  /** Services that reported error rates in the last 24 hours. */
  reportingServices: string[];
  /** The services named as this migration's evidence; null: every service reporting. */
  namedServices: string[] | null;
  /** Whether row-level security applies to the role the executor connects as; null for raw SQL or a table that is gone. */
  rowAccess: RowAccessFacts | null;
  /** Whether running the plan reads the table's rows at all (a nullable added column does not). */
  readsRows: boolean;
}

export interface ChecklistItem {
  question: string;
  answer: Answer;
  evidence: string;
}

const MB = 1024 * 1024;
const duration = (seconds: number) =>
  seconds < 90 ? `${Math.ceil(seconds)} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;

export function preflightChecklist(f: PreflightFacts, now: Date): ChecklistItem[] {
  const rows = f.table?.rows;
  const eta = rows !== null && rows !== undefined && f.measuredRowsPerSecond ? rows / f.measuredRowsPerSecond : null;
  const bufferDays = f.schedule ? (f.schedule.contractAt.getTime() - f.schedule.deployAt.getTime()) / 86_400_000 : 0;
  return [
    {
      question: 'Can it be rolled back?',
      answer: f.rollbackSteps > 0 ? 'yes' : 'no',
      evidence:
        f.rollbackSteps > 0
          ? `${f.rollbackSteps} rollback step(s) until the contract, then a restore from the archive${f.rollbackRan ? '; a rollback already ran on this migration' : '; each operation\u2019s rollback is exercised by the lifecycle tests on real Postgres'}`
          : 'no rollback steps in this plan',
    },
    {
      question: 'Will old code still work?',
      answer: f.expandFindings.length === 0 ? 'yes' : 'no',
      evidence:
        f.expandFindings.length === 0
          ? 'the expand SQL has no breaking change (renames, drops, type changes or NOT NULL on live columns)'
          : f.expandFindings.join('; '),
    },
    {
      question: 'How big is the data?',
      answer: f.table ? 'yes' : 'unknown',
      evidence: f.table
        ? `${rows === null || rows === undefined ? 'row count unknown until ANALYZE' : `~${rows.toLocaleString('en-US')} rows`}, ${(f.table.bytes / MB).toFixed(1)} MB; backfill ${eta === null ? 'time unknown until a backfill has run on this target' : `about ${duration(eta)} at the measured ${Math.round(f.measuredRowsPerSecond!).toLocaleString('en-US')} rows/s`}; locks: ${f.locks.map((l) => `${l.lock} ×${l.steps}`).join(', ')}`
        : 'raw SQL: no single table to measure',
    },
    windowItem(f, now, bufferDays),
    monitoring(f),
    rowAccessItem(f),
  ];
}

const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The window: the schedule's until a phase ran, then when it ran (a planned date already past says nothing). */
function windowItem(f: PreflightFacts, now: Date, bufferDays: number): ChecklistItem {
  const question = 'Is there a window?';
  if (f.ran.contract)
    return { question, answer: 'yes', evidence: `expand ran ${f.ran.expand ? minute(f.ran.expand) : '(no record)'}, contract ran ${minute(f.ran.contract)}` };
  if (f.ran.expand) {
    const contract = f.schedule ? `; contract planned ${minute(f.schedule.contractAt)}` : '; no contract planned';
    return { question, answer: 'yes', evidence: `expand ran ${minute(f.ran.expand)}${contract}` };
  }
  if (!f.schedule) return { question, answer: 'unknown', evidence: 'no schedule' };
  return {
    question,
    answer: f.schedule.expandAt.getTime() >= now.getTime() - 7 * 86_400_000 ? 'yes' : 'no',
    evidence: `expand ${minute(f.schedule.expandAt)}, contract ${minute(f.schedule.contractAt)} (${bufferDays.toFixed(1)} days after the deploy)`,
  };
}

/** The executor refuses a phase whose role may not see every row: the same judgement, before anyone presses a button. */
function rowAccessItem(f: PreflightFacts): ChecklistItem {
  const question = 'Can it read every row?';
  if (!f.readsRows) return { question, answer: 'yes', evidence: 'the plan reads no rows' };
  const a = f.rowAccess;
  if (!a) return { question, answer: 'unknown', evidence: 'no single table to check' };
  const problem = rowSecurityProblem(a);
  if (problem) return { question, answer: 'no', evidence: `${problem}. Expand, backfill, verify and contract refuse until then` };
  const table = `${a.table.schema}.${a.table.name}`;
  const why = !a.rlsEnabled
    ? `${table} has no row-level security`
    : a.superuser
      ? `${a.role} is a superuser`
      : a.bypassRls
        ? `${a.role} has BYPASSRLS`
        : `${a.role} owns ${table}, and its row-level security is not forced on the owner`;
  return { question, answer: 'yes', evidence: `${a.role} reads every row: ${why}` };
}

/** The sampler's coverage, and error rates from the services that count: a named service that never reports (a typo, a missing token) is no evidence. */
function monitoring(f: PreflightFacts): ChecklistItem {
  const sampler =
    f.samplerCoverage === null
      ? 'the pg_stat_statements sampler has never run on this target'
      : `pg_stat_statements sampled ${(f.samplerCoverage * 100).toFixed(1)}% of the last hour`;
  // With track = top, a statement a function or a DO block runs is counted as the call that ran it: its reads are not seen.
  const track = (f.trackNotAll ?? [])
    .map((t) => `pg_stat_statements.track = ${t.track} on ${t.server}: statements inside functions and DO blocks are not counted; set it to all`)
    .join('; ');
  const silent = (f.namedServices ?? []).filter((s) => !f.reportingServices.includes(s));
  let errors: string;
  if (f.namedServices) {
    errors = silent.length
      ? `named for this migration but silent in the last day: ${silent.join(', ')} (reporting: ${f.reportingServices.join(', ') || 'none'})`
      : `error rates from ${f.namedServices.join(', ')}, the services named for this migration`;
  } else {
    errors = f.reportingServices.length > 0 ? `error rates from ${f.reportingServices.join(', ')}` : 'no service reports error rates (POST /api/v1/metrics)';
  }
  const watched = f.namedServices ? silent.length === 0 : f.reportingServices.length > 0;
  return {
    question: 'Is monitoring in place?',
    answer: f.samplerCoverage !== null && f.samplerCoverage >= 0.95 && watched ? 'yes' : 'no',
    evidence: `${sampler}; ${errors}${track ? `; ${track}` : ''}`,
  };
}
