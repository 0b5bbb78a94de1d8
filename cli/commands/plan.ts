import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Env } from '../../lib/config/env';
import { PlanValidationError } from '../../lib/migrations/errors';
import { parseColumnName, QualifiedNameError, splitQualifiedName } from '../../lib/migrations/qualified-name';
import { FILE_PHASES, renderPhase, supabaseMigration, type FilePhase } from '../../lib/migrations/render-sql';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec, type PlanOptions } from '../../lib/migrations/types';
import { planChange } from '../../lib/planning/plan-change';
import { printPlanErrors } from '../output';
import { withTarget } from '../target';

export const PLAN_USAGE = `usage:
  expand-contract plan rename <[schema.]table.column> <new_name>
  expand-contract plan change-type <[schema.]table.column> <type> --new-column NAME --forward EXPR --reverse EXPR
  expand-contract plan set-not-null <[schema.]table.column> [--fill EXPR]
  expand-contract plan add-column <[schema.]table.column> <type> [--not-null] [--default EXPR] [--backfill EXPR]
  expand-contract plan drop-column <[schema.]table.column>

  EXPR is SQL: {{old}} / {{new}} stand for the value being converted, {{row}}."col" for another column.
  --supabase-dir DIR   write the phase as DIR/migrations/<version>_<name>.sql instead of printing it
  --phase PHASE        print (or write) only this phase: expand (preflight checks, expand, backfill; the default
                       with --supabase-dir), contract, rollback or restore; without it every phase is printed
  --json               print the whole plan (every phase, backfill and parity SQL) as JSON
  --lock-timeout T     lock_timeout for DDL steps (default ${DEFAULT_PLAN_OPTIONS.ddlTimeouts.lockTimeout})
  --statement-timeout T  statement_timeout for DDL steps (default ${DEFAULT_PLAN_OPTIONS.ddlTimeouts.statementTimeout})
  --batch-size N       backfill rows per batch (default ${DEFAULT_PLAN_OPTIONS.batchSize})
The schema is read from TARGET_DATABASE_URL, or the embedded demo database.`;

export class PlanUsageError extends Error {}

/** Options that describe the change itself, shared by `plan` and `create`. */
export const SPEC_OPTIONS = {
  'new-column': { type: 'string' },
  forward: { type: 'string' },
  reverse: { type: 'string' },
  fill: { type: 'string' },
  'not-null': { type: 'boolean' },
  default: { type: 'string' },
  backfill: { type: 'string' },
  'lock-timeout': { type: 'string' },
  'statement-timeout': { type: 'string' },
  'batch-size': { type: 'string' },
} as const;

const INTERVAL = /^\d+(\.\d+)?\s*(ms|s|min|h)?$/;

export function buildSpec(kind: string, positionals: string[], v: Record<string, string | boolean | undefined>): OperationSpec {
  const need = (n: number) => {
    if (positionals.length !== n) throw new PlanUsageError(`plan ${kind} takes ${n} argument(s), got ${positionals.length}`);
  };
  const str = (name: string) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  const target = () => parseColumnName(positionals[0]!);
  // Like Postgres: unquoted names fold to lower case, "Quoted" ones are kept as written.
  const columnName = (text: string) => {
    const parts = splitQualifiedName(text);
    if (parts.length !== 1) throw new PlanUsageError(`${JSON.stringify(text)} must be a column name, not a qualified one`);
    return parts[0]!;
  };
  switch (kind) {
    case 'rename':
      need(2);
      return { kind: 'rename-column', ...target(), newName: columnName(positionals[1]!) };
    case 'change-type': {
      need(2);
      const [newColumn, forward, reverse] = [str('new-column'), str('forward'), str('reverse')];
      if (!newColumn || !forward || !reverse) throw new PlanUsageError('plan change-type needs --new-column, --forward and --reverse');
      return { kind: 'change-type', ...target(), newType: positionals[1]!, newColumn: columnName(newColumn), forward, reverse };
    }
    case 'set-not-null':
      need(1);
      return { kind: 'set-not-null', ...target(), ...(str('fill') ? { fill: str('fill') } : {}) };
    case 'add-column':
      need(2);
      return {
        kind: 'add-column',
        ...target(),
        type: positionals[1]!,
        notNull: v['not-null'] === true,
        ...(str('default') !== undefined ? { default: str('default') } : {}),
        ...(str('backfill') !== undefined ? { backfill: str('backfill') } : {}),
      };
    case 'drop-column':
      need(1);
      return { kind: 'drop-column', ...target() };
    default:
      throw new PlanUsageError(`unknown operation "${kind}"`);
  }
}

export function planOptions(v: Record<string, string | boolean | undefined>): PlanOptions {
  const lock = (v['lock-timeout'] as string | undefined) ?? DEFAULT_PLAN_OPTIONS.ddlTimeouts.lockTimeout;
  const statement = (v['statement-timeout'] as string | undefined) ?? DEFAULT_PLAN_OPTIONS.ddlTimeouts.statementTimeout;
  for (const [name, value] of [['--lock-timeout', lock], ['--statement-timeout', statement]] as const) {
    if (!INTERVAL.test(value)) throw new PlanUsageError(`${name} must look like 500ms, 1s, 2min or 1h`);
  }
  const batchSize = v['batch-size'] === undefined ? DEFAULT_PLAN_OPTIONS.batchSize : Number(v['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1_000_000) throw new PlanUsageError('--batch-size must be a whole number from 1 to 1000000');
  return { ...DEFAULT_PLAN_OPTIONS, ddlTimeouts: { lockTimeout: lock, statementTimeout: statement }, batchSize };
}

/** `expand-contract plan …`: prints (or writes) the reviewed SQL. Exit 0 planned, 1 refused, 2 bad usage. */
export async function planCommand(args: string[], env: Env, projectDir: string): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${PLAN_USAGE}\n`);
    return 0;
  }
  let spec: OperationSpec;
  let options: PlanOptions;
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...SPEC_OPTIONS,
        'supabase-dir': { type: 'string' },
        phase: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    values = parsed.values;
    const [kind, ...rest] = parsed.positionals;
    if (!kind) throw new PlanUsageError('which change? rename, change-type, set-not-null, add-column or drop-column');
    spec = buildSpec(kind, rest, values);
    options = planOptions(values);
    if (values.phase !== undefined && !(values.phase as string in FILE_PHASES)) throw new PlanUsageError('--phase must be expand, contract, rollback or restore');
  } catch (error) {
    if (error instanceof PlanUsageError || error instanceof QualifiedNameError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(error as Error).message}\n${PLAN_USAGE}\n`);
      return 2;
    }
    throw error;
  }

  try {
    const plan = await withTarget(env, projectDir, (client) => planChange(client, spec, options));
    const phase = (values.phase as FilePhase | undefined) ?? 'expand';
    if (values['supabase-dir']) {
      const file = supabaseMigration(plan, phase, new Date());
      const dir = path.join(path.resolve(values['supabase-dir'] as string), 'migrations');
      try {
        await fs.mkdir(dir, { recursive: true });
        await fs.writeFile(path.join(dir, file.fileName), file.content);
      } catch (error) {
        process.stderr.write(`error: cannot write ${path.join(dir, file.fileName)}: ${(error as Error).message}\n`);
        return 2;
      }
      process.stdout.write(`wrote ${path.join(dir, file.fileName)}\n`);
      if (phase === 'expand') process.stdout.write('apply it with `supabase db push`; export the contract (--phase contract) only when the dashboard allows it\n');
      return 0;
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      return 0;
    }
    const phases = values.phase ? [phase] : (['expand', 'contract', 'rollback', 'restore'] as const);
    process.stdout.write(phases.map((p) => `-- ===== ${p} =====\n${renderPhase(plan, p)}`).join('\n'));
    return 0;
  } catch (error) {
    if (error instanceof PlanValidationError) {
      printPlanErrors(error);
      return 1;
    }
    throw error;
  }
}
