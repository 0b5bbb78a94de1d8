import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Env } from '../../lib/config/env';
import { PlanValidationError } from '../../lib/migrations/errors';
import { parseColumnName, QualifiedNameError, splitQualifiedName } from '../../lib/migrations/qualified-name';
import { OPERATIONS } from '../../lib/migrations/operations';
import { FILE_PHASES, renderPhase, supabaseMigration, type FilePhase } from '../../lib/migrations/render-sql';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec, type PlanOptions } from '../../lib/migrations/types';
import { planChange } from '../../lib/planning/plan-change';
import { CommandRefusedError, reportFailure } from '../output';
import { withTarget } from '../target';

/** The operations the command plans, each with its own arguments. */
const COMMANDS = OPERATIONS.flatMap((op) => (op.cli ? [op.cli] : []));

export const PLAN_USAGE = `usage:
${COMMANDS.map((c) => `  expand-contract plan ${c.command} <[schema.]table.column>${c.usage ? ` ${c.usage}` : ''}`).join('\n')}

  EXPR is SQL: {{old}} / {{new}} stand for the value being converted, {{row}}."col" for another column.
  --supabase-dir DIR   write the phase as DIR/migrations/<version>_<name>.sql instead of printing it
  --phase PHASE        print (or write) only this phase: expand (preflight checks, expand, backfill; the default
                       with --supabase-dir), contract (printed only: its file comes from export, behind the gate),
                       rollback or restore; without it every phase is printed
  --json               print the whole plan (every phase, backfill and parity SQL) as JSON
  --lock-timeout T     lock_timeout for DDL steps (default ${DEFAULT_PLAN_OPTIONS.ddlTimeouts.lockTimeout})
  --statement-timeout T  statement_timeout for DDL steps (default ${DEFAULT_PLAN_OPTIONS.ddlTimeouts.statementTimeout})
  --batch-size N       backfill rows per batch (default ${DEFAULT_PLAN_OPTIONS.batchSize})
The schema is read from TARGET_DATABASE_URL, or the embedded demo database.`;

export class PlanUsageError extends Error {}

/** Options that describe the change itself (each operation's own), shared by `plan` and `create`. */
export const SPEC_OPTIONS = {
  ...Object.assign({}, ...COMMANDS.map((c) => c.options)),
  'lock-timeout': { type: 'string' },
  'statement-timeout': { type: 'string' },
  'batch-size': { type: 'string' },
} as Record<string, { type: 'string' | 'boolean' }>;

const INTERVAL = /^\d+(\.\d+)?\s*(ms|s|min|h)?$/;

export function buildSpec(kind: string, positionals: string[], v: Record<string, string | boolean | undefined>): OperationSpec {
  const cli = COMMANDS.find((c) => c.command === kind);
  if (!cli) throw new PlanUsageError(`unknown operation "${kind}"`);
  const fail = (message: string): never => {
    throw new PlanUsageError(message);
  };
  return cli.parse({
    need: (n) => {
      if (positionals.length !== n) fail(`plan ${kind} takes ${n} argument(s), got ${positionals.length}`);
    },
    target: () => parseColumnName(positionals[0]!),
    positional: (i) => positionals[i]!,
    // Like Postgres: unquoted names fold to lower case, "Quoted" ones are kept as written.
    columnName: (text) => {
      const parts = splitQualifiedName(text);
      if (parts.length !== 1) fail(`${JSON.stringify(text)} must be a column name, not a qualified one`);
      return parts[0]!;
    },
    option: (name) => (typeof v[name] === 'string' ? (v[name] as string) : undefined),
    flag: (name) => v[name] === true,
    fail,
  });
}

/** "a, b or c", for naming the choices. */
const oneOf = (words: string[]) => (words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? ''));

export function planOptions(v: Record<string, string | boolean | undefined>): PlanOptions {
  const lock = (v['lock-timeout'] as string | undefined) ?? DEFAULT_PLAN_OPTIONS.ddlTimeouts.lockTimeout;
  const statement = (v['statement-timeout'] as string | undefined) ?? DEFAULT_PLAN_OPTIONS.ddlTimeouts.statementTimeout;
  for (const [name, value] of [
    ['--lock-timeout', lock],
    ['--statement-timeout', statement],
  ] as const) {
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
  // Known before parsing, so that a mistyped option is reported as JSON too when JSON was asked for.
  const json = args.includes('--json');
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
    if (!kind) throw new PlanUsageError(`which change? ${oneOf(COMMANDS.map((c) => c.command))}`);
    spec = buildSpec(kind, rest, values);
    options = planOptions(values);
    if (values.phase !== undefined && !((values.phase as string) in FILE_PHASES))
      throw new PlanUsageError('--phase must be expand, contract, rollback or restore');
  } catch (error) {
    if (error instanceof PlanUsageError || error instanceof QualifiedNameError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportFailure(error, { usage: { errors: [Error], text: PLAN_USAGE }, json });
    }
    throw error;
  }

  const phase = (values.phase as FilePhase | undefined) ?? 'expand';
  if (values['supabase-dir'] && phase === 'contract') {
    // A file is a contract anyone holding it can push: it comes from `export`, which writes it only while the gate of
    // a registered change allows it. Its SQL, to review, is `plan … --phase contract` without --supabase-dir.
    return reportFailure(
      new CommandRefusedError(
        'no contract file from plan: register the change (`expand-contract create …`, which adopts an expand already pushed), then `expand-contract export <id> contract --supabase-dir DIR` writes it once the gate allows the contract',
      ),
      { json },
    );
  }
  try {
    const plan = await withTarget(env, projectDir, (client) => planChange(client, spec, options));
    if (values['supabase-dir']) {
      const file = supabaseMigration(plan, phase, new Date());
      const dir = path.join(path.resolve(values['supabase-dir'] as string), 'migrations');
      try {
        await fs.mkdir(dir, { recursive: true });
        await fs.writeFile(path.join(dir, file.fileName), file.content);
      } catch (error) {
        return reportFailure(new CommandRefusedError(`cannot write ${path.join(dir, file.fileName)}: ${(error as Error).message}`), { json });
      }
      if (json) {
        process.stdout.write(`${JSON.stringify({ file: path.join(dir, file.fileName), version: file.version, phase })}\n`);
        return 0;
      }
      process.stdout.write(`wrote ${path.join(dir, file.fileName)}\n`);
      if (phase === 'expand')
        process.stdout.write(
          'apply it with `supabase db push`, and register the change with `expand-contract create` (before or after: it adopts a pushed expand); `expand-contract export <id> contract` writes the contract file once the gate allows it\n',
        );
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
    if (error instanceof PlanValidationError) return reportFailure(error, { json });
    throw error;
  }
}
