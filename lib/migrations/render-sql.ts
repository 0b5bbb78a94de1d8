import { quoteLiteral } from './quote';
import { dollarQuote } from './sql-text';
import type { Phase, Plan, Step } from './types';

/** Phases that become one migration file each; preflight and backfill ride with expand. */
export type FilePhase = 'expand' | 'contract' | 'rollback' | 'restore';

export const FILE_PHASES: Record<FilePhase, Phase[]> = {
  expand: ['preflight', 'expand', 'backfill'],
  contract: ['contract'],
  rollback: ['rollback'],
  restore: ['restore'],
};

// Postgres ends a -- comment at a carriage return as well as a newline: a name holding either must not end it early.
const comment = (text: string) =>
  text
    .split(/\r\n|[\r\n]/)
    .map((l) => `-- ${l}`.trimEnd())
    .join('\n');

/**
 * One step as a script: transactional steps in their own BEGIN … COMMIT with SET LOCAL
 * timeouts; the others (CREATE INDEX CONCURRENTLY, the batch loop) with session settings
 * that are reset afterwards. Check steps become assertions that stop the script.
 */
export function renderStep(step: Step): string {
  const head = comment(`${step.id}\n${step.description}\nlock: ${step.lock}`);
  const sql = step.kind === 'check' ? assertZero(step) : step.sql;
  const t = step.timeouts;
  if (step.transactional) {
    const settings = t ? `SET LOCAL lock_timeout = ${quoteLiteral(t.lockTimeout)};\nSET LOCAL statement_timeout = ${quoteLiteral(t.statementTimeout)};\n` : '';
    return `${head}\nBEGIN;\n${settings}${sql};\nCOMMIT;`;
  }
  if (!t) return `${head}\n${sql};`;
  return `${head}\nSET lock_timeout = ${quoteLiteral(t.lockTimeout)};\nSET statement_timeout = ${quoteLiteral(t.statementTimeout)};\n${sql};\nRESET lock_timeout;\nRESET statement_timeout;`;
}

/**
 * A check as an assertion. Row security off for it: a role that row-level security would show
 * only some rows gets an error instead of a count of those rows, which could read 0 and let a
 * destructive file go on (Supabase's postgres has BYPASSRLS, so it counts every row).
 */
function assertZero(step: Step): string {
  return `DO ${dollarQuote(`
DECLARE
  found bigint;
BEGIN
  PERFORM set_config('row_security', 'off', true);
  EXECUTE ${quoteLiteral(step.sql)} INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION '${step.phase} check failed: % row(s): %', found, ${quoteLiteral(step.description)};
  END IF;
END
`)}`;
}

export function stepsFor(plan: Plan, phase: FilePhase): Step[] {
  return plan.steps.filter((s) => FILE_PHASES[phase].includes(s.phase));
}

export function renderPhase(plan: Plan, phase: FilePhase): string {
  const steps = stepsFor(plan, phase);
  const header = comment(
    [
      `Expand/Contract: ${plan.title}`,
      `phase: ${phase}${phase === 'expand' ? ' (preflight checks, expand, backfill)' : ''}; plan ${plan.id}`,
      phase === 'expand' ? 'Safe while old code runs. Deploy the new code after it.' : '',
      phase === 'contract' ? 'Destructive: apply only when the dashboard says the contract is allowed.' : '',
      ...plan.notes.map((n) => `note: ${n}`),
    ]
      .filter(Boolean)
      .join('\n'),
  );
  if (steps.length === 0) return `${header}\n${comment(`nothing to do in the ${phase} phase of this change`)}\nSELECT 1;\n`;
  return `${header}\n\n${steps.map(renderStep).join('\n\n')}\n`;
}

/** YYYYMMDDHHMMSS in UTC, the Supabase CLI's migration version. */
export function migrationVersion(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * The version for a phase applied now: the clock's, unless the history already has that
 * second or a later one (phases run in quick succession, or a clock behind the last
 * push); then one second after the latest, so versions stay unique and in order.
 */
export function versionAfter(candidate: string, latest: string | null): string {
  if (!latest || candidate > latest) return candidate;
  const t = latest.replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6Z');
  return migrationVersion(new Date(new Date(t).getTime() + 1000));
}

export interface MigrationFileOut {
  version: string;
  name: string;
  fileName: string;
  content: string;
}

/**
 * One phase as `supabase/migrations/<version>_<name>.sql`. Each phase is exported when it
 * is due, with the time of export as its version, so the contract (exported later) sorts
 * after everything already pushed, as `supabase db push` requires.
 */
export function supabaseMigration(plan: Plan, phase: FilePhase, at: Date | string): MigrationFileOut {
  const version = typeof at === 'string' ? at : migrationVersion(at);
  const name = `${plan.slug}_${phase}`;
  return { version, name, fileName: `${version}_${name}.sql`, content: renderPhase(plan, phase) };
}
