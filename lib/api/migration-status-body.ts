import { z } from 'zod';
import type { GateCondition } from '../gate/evaluate-gate';
import { RUN_PHASES } from '../lifecycle/migration-states';
import { isoDateTime } from './iso-date-time';
import { backfillProgressBodySchema, backfillStatusSchema, migrationStateSchema } from './migration-summary-body';

const GATE_CONDITIONS = [
  'backfill',
  'parity',
  'round-trip',
  'buffer',
  'legacy-reads',
  'brownout',
  'error-rate',
  'approval',
] as const satisfies readonly GateCondition['name'][];
// The other way too, at compile time: a condition the gate learns and this list lacks would fail to encode at run time.
const noConditionMissing: [Exclude<GateCondition['name'], (typeof GATE_CONDITIONS)[number]>] extends [never] ? true : never = true;
void noConditionMissing;

export const phaseRunBodySchema = z.object({
  id: z.number().int().positive(),
  phase: z.enum(RUN_PHASES),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled', 'paused']),
  source: z.enum(['executor', 'supabase-cli']).describe("supabase-cli: applied with `supabase db push`, seen in the target's migration history"),
  historyVersion: z.string().nullable().describe('its version in supabase_migrations.schema_migrations, when recorded there'),
  actor: z.string().describe("who asked for it: a person's email or `cli:<login>`"),
  error: z.string().nullable(),
  startedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
});

export const gateBodySchema = z.object({
  allowed: z.boolean().describe('whether the contract may run now; judged as the contract run would (which judges again under a lock)'),
  conditions: z.array(
    z.object({
      name: z.enum(GATE_CONDITIONS),
      met: z.boolean(),
      unknown: z.literal(true).optional().describe('not met because the evidence is missing (not yet sampled, measured or reported), rather than against'),
      detail: z.string(),
    }),
  ),
  reasons: z.array(z.string()).describe('the details of the conditions not met: empty when allowed'),
});

/**
 * A migration's phases, backfill progress, parity, use of the old column, deploy and buffer,
 * error rates and contract gate: what `expand-contract status --json` and the migration's page
 * show, less what a token holder has no need of (the target's host, the statements' text,
 * the backfill's cursor, sample values of rows).
 */
export const migrationStatusBodySchema = z.object({
  id: z.number().int().positive(),
  title: z.string(),
  status: migrationStateSchema,
  phases: z.array(phaseRunBodySchema).describe('every phase run, oldest first'),
  backfill: z
    .object({
      status: backfillStatusSchema,
      requested: z.enum(['pause', 'cancel']).nullable().describe('a pause or cancel asked for, taken after the current batch or the next one'),
      rowsScanned: z.number().int().nonnegative(),
      rowsChanged: z.number().int().nonnegative(),
      batches: z.number().int().nonnegative(),
      batchSize: z.number().int().nonnegative(),
      worstBatchMs: z.number().nonnegative().nullable(),
      tableRows: z.number().int().nonnegative().nullable().describe("the table's exact row count when the backfill finished"),
      error: z.string().nullable(),
      startedAt: isoDateTime,
      updatedAt: isoDateTime,
      finishedAt: isoDateTime.nullable(),
      progress: backfillProgressBodySchema,
    })
    .nullable(),
  parity: z
    .object({
      mismatched: z.number().int().nonnegative().describe('rows where old and new column differ'),
      rowsChecked: z.number().int().nonnegative(),
      tableRows: z.number().int().nonnegative().nullable(),
      lossy: z
        .object({ rows: z.number().int().nonnegative() })
        .nullable()
        .describe('rows whose old value would not survive the contract; null: the change has no way back to check'),
      checkedAt: isoDateTime,
    })
    .nullable()
    .describe('the latest parity check; null: none yet'),
  legacy: z
    .object({
      column: z.string().describe('schema.table.column the change removes'),
      window: z.object({ from: isoDateTime, to: isoDateTime }),
      reads: z.number().int().nonnegative(),
      writes: z.number().int().nonnegative(),
      unknown: z.number().int().nonnegative().describe('calls of statements that could not be parsed'),
      coverage: z.number().min(0).max(1).describe('share of the window pg_stat_statements was sampled, on the worst-covered server'),
      servers: z
        .array(
          z.object({
            role: z.enum(['primary', 'replica']),
            coverage: z.number().min(0).max(1).describe('share of the window this server was sampled'),
            uses: z.number().int().nonnegative().describe('calls of statements using the column on this server'),
            track: z.string().nullable().describe('pg_stat_statements.track at its latest sample; top leaves statements inside functions uncounted'),
            lagSeconds: z.number().nonnegative().nullable().describe("a replica's replay lag at its latest sample"),
            failing: z.boolean().describe('its latest sample failed (a replica that is down)'),
          }),
        )
        .describe('every server reads may be served by: the primary, then each read replica (addresses are not given out)'),
      blindSpots: z.array(z.string()).describe('what sampling cannot see on these servers'),
    })
    .nullable()
    .describe('use of the column the change removes over the observation window; null: it removes none'),
  deploy: z.object({
    deployedAt: isoDateTime.nullable(),
    deployedBy: z.string().nullable(),
    bufferMinutes: z.number().nonnegative().nullable().describe('how long after the deploy the contract must wait'),
    bufferEndsAt: isoDateTime.nullable().describe('null: no deploy marked yet'),
  }),
  errors: z
    .array(
      z.object({
        phase: z.string().describe('expand, or deploy once marked'),
        at: isoDateTime,
        series: z.array(
          z.object({
            source: z.enum(['app', 'postgres']),
            service: z.string(),
            enoughVolume: z.boolean(),
            regression: z.boolean(),
            detail: z.string(),
          }),
        ),
      }),
    )
    .describe('error rates before and after each phase, per service (POST /api/v1/metrics) and from the Postgres log'),
  gate: gateBodySchema,
});

export type MigrationStatusBody = z.output<typeof migrationStatusBodySchema>;
