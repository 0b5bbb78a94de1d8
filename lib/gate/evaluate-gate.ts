import { describeSeconds } from '../metrics/describe-seconds';
import type { SeriesVerdict } from '../metrics/error-regression';

/**
 * Whether the contract may run, from evidence, with every condition and why: the backfill
 * finished, a fresh parity check found no difference, the buffer since the deploy passed,
 * nothing used the old column over a well-sampled window, and no phase made errors worse.
 */
export interface ParityEvidence {
  mismatched: number;
  checkedAt: Date;
  /** Rows the check looked at, and rows the table held throughout it (null: not counted, a check recorded before counts were). */
  rowsChecked: number;
  tableRows: number | null;
  /** For a change with a way back (a type change's reverse): rows whose old value would not survive the contract; null otherwise. */
  lossy: { rows: number; samples: { old: string | null; becomes: string | null }[] } | null;
}

export interface GateEvidence {
  now: Date;
  backfill: { required: boolean; done: boolean };
  parity: { required: boolean; latest: ParityEvidence | null };
  /** A parity result older than this does not count (default 60 minutes). */
  maxParityAgeMinutes?: number;
  /** Use of the column the change removes, from sampled pg_stat_statements, over the observation window. */
  legacy?: {
    required: boolean;
    column: string;
    reads: number;
    writes: number;
    unknown: number;
    /** Share of the window the sampler covered, 0–1. */
    coverage: number;
    /** Below this, "zero reads" is not evidence (default 0.95). */
    minCoverage?: number;
    /** How long the column has been watched since the expand, and how long it must be (hourly and daily jobs). */
    observedMinutes: number;
    requiredMinutes: number;
    /** What the watch counts from: the deploy once it is marked (old code reading before then is expected). */
    observedSince?: 'expand' | 'deploy';
    /**
     * Objects on the target that use the column (views, policies, functions, triggers, generated
     * columns), read from its catalog each time the gate is judged: each one is a reason, with what to do.
     */
    dependents: string[];
    /** Each server reads can be served by (the primary, then read replicas), and how well it was watched. */
    servers?: { label: string; role: 'primary' | 'replica'; coverage: number; uses: number; lastError?: string | null }[];
    /** What sampling cannot see on these servers, named in the zero-read claim. */
    blindSpots?: string[];
    /** Calls of code that builds its SQL at run time (EXECUTE): what it reads cannot be told from its text. */
    dynamic?: number;
  };
  /** The deploy of code using the new column, and the buffer that must pass after it. */
  buffer?: { required: boolean; deployedAt: Date | null; bufferMinutes: number };
  /** Error rates around each phase that has begun (expand, deploy), per service and for the Postgres log. */
  errors?: {
    required: boolean;
    phases: { phase: string; at: Date; series: SeriesVerdict[] }[];
    /** The services named for this migration (each must report enough), or null: every service reporting. */
    services?: string[] | null;
    /** Regressions of services not named for it: shown to the approver, not counted. */
    uncounted?: string[];
  };
  /**
   * Brownouts since the deploy: the latest one that ended (or the one running). Required, the
   * contract waits for a clean one; not required, one that broke something still closes the gate.
   */
  brownout?: {
    required: boolean;
    deployedAt: Date | null;
    running: boolean;
    latest: { status: 'clean' | 'reverted'; startedAt: Date; seconds: number; outcome: string } | null;
  };
  /**
   * The on-call approval of this contract (migrations created in the dashboard). `summary` is
   * evidenceSummary() of this evidence; the latest approval must have been given on the same.
   */
  approval?: {
    required: boolean;
    summary: string;
    latest: { approver: string; at: Date; summary: string; approverOnCall: boolean; approverIsAuthor: boolean } | null;
  };
}

export interface GateCondition {
  name: 'backfill' | 'parity' | 'round-trip' | 'buffer' | 'legacy-reads' | 'brownout' | 'error-rate' | 'approval';
  met: boolean;
  /** Not met because the evidence is missing (not yet sampled, measured or reported), rather than against. */
  unknown?: true;
  detail: string;
}

export interface GateDecision {
  allowed: boolean;
  conditions: GateCondition[];
  /** The unmet conditions' details, for a disabled button's tooltip or an error. */
  reasons: string[];
}

export function evaluateGate(e: GateEvidence): GateDecision {
  const conditions: GateCondition[] = [];
  if (e.backfill.required) {
    conditions.push({ name: 'backfill', met: e.backfill.done, detail: e.backfill.done ? 'backfill complete' : 'the backfill has not finished' });
  }
  if (e.parity.required) {
    const maxAge = (e.maxParityAgeMinutes ?? 60) * 60_000;
    const p = e.parity.latest;
    if (!p) conditions.push({ name: 'parity', met: false, unknown: true, detail: 'no parity check yet: run verify' });
    else if (e.now.getTime() - p.checkedAt.getTime() > maxAge)
      conditions.push({ name: 'parity', met: false, detail: 'the last parity check is too old: run verify again' });
    else {
      conditions.push(parityCondition(p));
      if (p.lossy) conditions.push(roundTripCondition(p.lossy, p.rowsChecked));
    }
  }
  if (e.buffer?.required) {
    const { deployedAt, bufferMinutes } = e.buffer;
    const buffer = describeSeconds(bufferMinutes * 60);
    if (!deployedAt) {
      conditions.push({
        name: 'buffer',
        met: false,
        detail: `the deploy of code that uses the new column is not marked yet (the ${buffer} buffer starts then)`,
      });
    } else {
      const leftSeconds = (deployedAt.getTime() + bufferMinutes * 60_000 - e.now.getTime()) / 1000;
      const ago = describeSeconds(Math.max(0, (e.now.getTime() - deployedAt.getTime()) / 1000));
      conditions.push(
        leftSeconds > 0
          ? { name: 'buffer', met: false, detail: `buffer: ${describeSeconds(leftSeconds)} left of ${buffer} since the deploy` }
          : { name: 'buffer', met: true, detail: `buffer passed: deployed ${ago} ago (buffer ${buffer})` },
      );
    }
  }
  if (e.legacy?.required) conditions.push(...legacyConditions(e.legacy));
  const brownout = e.brownout && brownoutCondition(e.brownout);
  if (brownout) conditions.push(brownout);
  if (e.errors?.required) conditions.push(errorCondition(e.errors));
  if (e.approval?.required) conditions.push(approvalCondition(e.approval));
  const reasons = conditions.filter((c) => !c.met).map((c) => c.detail);
  return { allowed: reasons.length === 0, conditions, reasons };
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Use of the column the contract drops: every dependent found in the catalog is its own reason;
 * then use seen by sampling; then whether every server was watched long and well enough. A zero
 * claim names what it covers: the servers, the share of the window sampled, the blind spots left.
 */
function legacyConditions(l: NonNullable<GateEvidence['legacy']>): GateCondition[] {
  const min = l.minCoverage ?? 0.95;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const servers = l.servers ?? [];
  const several = servers.length > 1;
  // The primary's address stays out of reasons (they reach deploy tokens); replicas are named, as they were configured.
  const name = (s: (typeof servers)[number]) => (s.role === 'primary' ? 'the primary' : `replica ${s.label}`);
  const dependents: GateCondition[] = l.dependents.map((detail) => ({ name: 'legacy-reads', met: false, detail }));
  if (dependents.length) return dependents;
  const dynamic = l.dynamic ?? 0;
  if (l.reads + l.writes > 0) {
    const where = several
      ? ` (${servers
          .filter((s) => s.uses > 0)
          .map((s) => `${count(s.uses)} on ${name(s)}`)
          .join(', ')})`
      : '';
    return [{ name: 'legacy-reads', met: false, detail: `${l.column} is still used: ${l.reads} read(s) and ${l.writes} write(s) in the window${where}` }];
  }
  const unknown: GateCondition[] = [];
  if (l.unknown - dynamic > 0)
    unknown.push({ name: 'legacy-reads', met: false, detail: `${l.unknown - dynamic} call(s) of statements that could not be parsed: check them by hand` });
  if (dynamic > 0)
    unknown.push({
      name: 'legacy-reads',
      met: false,
      detail: `${dynamic} call(s) of code that builds its SQL at run time (EXECUTE), whose reads cannot be told from its text: check it by hand`,
    });
  if (unknown.length) return unknown;
  if (l.observedMinutes < l.requiredMinutes) {
    return [
      {
        name: 'legacy-reads',
        met: false,
        unknown: true,
        detail: `watched for ${Math.floor(l.observedMinutes)} of the required ${l.requiredMinutes} minutes since the ${l.observedSince ?? 'expand'}`,
      },
    ];
  }
  if (several) {
    const short = servers.filter((s) => s.coverage < min);
    if (short.length) {
      return short.map((s) => ({
        name: 'legacy-reads' as const,
        met: false,
        unknown: true as const,
        detail:
          `${name(s)} was sampled for only ${pct(s.coverage)} of the window (needs ${pct(min)})` +
          (s.lastError ? `: its last sample failed (${s.lastError})` : s.role === 'replica' ? ': is it up, and reachable with the target login?' : ''),
      }));
    }
  } else if (l.coverage < min) {
    return [
      {
        name: 'legacy-reads',
        met: false,
        unknown: true,
        detail: `pg_stat_statements was sampled for only ${pct(l.coverage)} of the window (needs ${pct(min)}): keep the dashboard or expand-contract worker running`,
      },
    ];
  }
  const watched = l.requiredMinutes > 0 ? Math.min(l.observedMinutes, l.requiredMinutes) : l.observedMinutes;
  const covers = several
    ? `on ${servers.length} servers (${servers.map((s) => `${name(s)} sampled ${pct(s.coverage)}`).join(', ')})`
    : `, sampled ${pct(l.coverage)} of that time`;
  const spots = l.blindSpots?.length ? `; not seen: ${l.blindSpots.join('; ')}` : '';
  return [
    {
      name: 'legacy-reads',
      met: true,
      detail: `0 reads of ${l.column} in the last ${describeSeconds(Math.round(watched * 60))}${several ? ' ' : ''}${covers}${spots}`,
    },
  ];
}

/**
 * No row may differ, and the check must have seen every row the table held: rows hidden from it
 * (row-level security filtering what the executing role reads) or added behind it were not
 * checked, and a contract on "0 of 0 rows differ" drops values nobody compared.
 */
function parityCondition(p: ParityEvidence): GateCondition {
  if (p.tableRows === null) {
    return {
      name: 'parity',
      met: false,
      unknown: true,
      detail: `the last parity check (${count(p.rowsChecked)} rows) did not count the table's rows: run verify again`,
    };
  }
  if (p.rowsChecked < p.tableRows) {
    return {
      name: 'parity',
      met: false,
      detail: `the parity check saw ${count(p.rowsChecked)} of the ${count(p.tableRows)} rows the table holds: the ${count(p.tableRows - p.rowsChecked)} it did not see are unchecked (hidden from the executing role by row-level security, or written behind the check); run verify again as a role that reads every row`,
    };
  }
  const of = `${count(p.rowsChecked)} rows differ (table holds ${count(p.tableRows)})`;
  if (p.mismatched > 0) return { name: 'parity', met: false, detail: `${count(p.mismatched)} of ${of} between old and new column` };
  return { name: 'parity', met: true, detail: `0 of ${of}` };
}

const sqlValue = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

/** Lossy samples as `'PENDING' → 'pending'`, quoted the way SQL would write them. */
export function describeLossySamples(samples: NonNullable<ParityEvidence['lossy']>['samples']): string {
  // Samples are distinct values, at most ten of them: a full list says there may be more.
  return `${samples.map((s) => `${sqlValue(s.old)} → ${sqlValue(s.becomes)}`).join(', ')}${samples.length >= 10 ? ', …' : ''}`;
}

/**
 * A lossy forward mapping passes parity (new = forward(old) holds for 'PENDING' as for
 * 'pending'), yet after the contract the old value is gone: refuse while any row's old value
 * cannot be read back from the new column, and show which values would change.
 */
function roundTripCondition(lossy: NonNullable<ParityEvidence['lossy']>, rowsChecked: number): GateCondition {
  if (lossy.rows === 0)
    return { name: 'round-trip', met: true, detail: `every row's old value reads back from the new column (0 of ${count(rowsChecked)} would change)` };
  return {
    name: 'round-trip',
    met: false,
    detail: `${count(lossy.rows)} row(s) would not survive the contract: the new column cannot give back their old value (old → would become: ${describeLossySamples(lossy.samples)}); correct those rows or the mappings, then run verify again`,
  };
}

/**
 * No phase may have made any series worse, and the latest phase must have enough service
 * traffic behind it to say so: silence is not evidence of health.
 */
function errorCondition(errors: NonNullable<GateEvidence['errors']>): GateCondition {
  const { phases, services } = errors;
  // Regressions of services not named for this migration: the approver sees them, the gate does not count them.
  const aside = errors.uncounted?.length ? `; not counted (not named for this migration): ${errors.uncounted.join('; ')}` : '';
  const regressions = phases.flatMap((p) => p.series.filter((s) => s.regression).map((s) => `after ${p.phase}: ${s.detail}`));
  if (regressions.length > 0) return { name: 'error-rate', met: false, detail: `error rate above its baseline ${regressions.join('; ')}${aside}` };
  const latest = phases.at(-1);
  if (!latest) return { name: 'error-rate', met: false, detail: 'no phase has run yet' };
  const app = latest.series.filter((s) => s.source === 'app');
  // Named services must each be evidence: one that stays silent (a typo, a missing token) is not "no regression".
  const silent = services ? services.filter((name) => !app.some((s) => s.service === name && s.enoughVolume)) : [];
  if (silent.length > 0) {
    return {
      name: 'error-rate',
      met: false,
      unknown: true,
      detail: `${silent.join(', ')} did not report enough requests since ${latest.phase} to compare error rates: each service named for this migration must (POST /api/v1/metrics)${aside}`,
    };
  }
  if (!app.some((s) => s.enoughVolume)) {
    return {
      name: 'error-rate',
      met: false,
      unknown: true,
      detail: `no service reported enough requests since ${latest.phase} to compare error rates: send them to POST /api/v1/metrics${aside}`,
    };
  }
  return {
    name: 'error-rate',
    met: true,
    detail: `no regression after ${phases.map((p) => p.phase).join(', ')}: ${latest.series.map((s) => s.detail).join('; ')}${aside}`,
  };
}

/**
 * A brownout is evidence either way: a clean one (the old column out of reach for minutes, nothing
 * broke) is what a required rehearsal asks for; one that broke something found a reader, which
 * closes the gate whether or not one was required, until a later one runs clean.
 */
function brownoutCondition(b: NonNullable<GateEvidence['brownout']>): GateCondition | null {
  const when = (at: Date) => at.toISOString().slice(0, 16).replace('T', ' ');
  if (b.running) return { name: 'brownout', met: false, detail: 'a brownout is running: the contract waits for it to end' };
  const l = b.latest;
  if (l?.status === 'reverted')
    return {
      name: 'brownout',
      met: false,
      detail: `the brownout of ${when(l.startedAt)} UTC was ${l.outcome}: fix what still uses the column, then run a clean brownout`,
    };
  if (l?.status === 'clean')
    return {
      name: 'brownout',
      met: true,
      detail: `a clean brownout since the deploy: ${describeSeconds(l.seconds)} from ${when(l.startedAt)} UTC, nothing broke`,
    };
  if (!b.required) return null;
  return {
    name: 'brownout',
    met: false,
    unknown: true,
    detail: b.deployedAt
      ? 'no brownout since the deploy: this contract waits for one clean brownout (the old column out of reach for a few minutes, nothing breaking)'
      : 'this contract waits for one clean brownout, which runs once the deploy is marked',
  };
}

function approvalCondition(a: NonNullable<GateEvidence['approval']>): GateCondition {
  const l = a.latest;
  if (!l) return { name: 'approval', met: false, detail: 'no contract approval yet: the person on call approves it on the evidence above' };
  if (l.approverIsAuthor) return { name: 'approval', met: false, detail: `approved by ${l.approver}, the author: a second person on call must approve` };
  if (!l.approverOnCall)
    return { name: 'approval', met: false, detail: `approved by ${l.approver}, who is not on call now: the person on call approves again` };
  if (l.summary !== a.summary) return { name: 'approval', met: false, detail: `the approval by ${l.approver} was given on different evidence: approve again` };
  return { name: 'approval', met: true, detail: `approved by ${l.approver} (on call) at ${l.at.toISOString()}` };
}
