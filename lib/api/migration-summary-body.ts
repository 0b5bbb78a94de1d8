import { z } from 'zod';
import { MIGRATION_STATES } from '../lifecycle/migration-states';
import { isoDateTime } from './iso-date-time';

export const migrationStateSchema = z
  .enum(MIGRATION_STATES)
  .describe('planned → expanded → backfilled → contracting → contracted; or rolled_back, restored, cancelled');

export const backfillStatusSchema = z.enum(['running', 'paused', 'cancelled', 'done', 'failed']);

/** lib/metrics/backfill-progress.ts, as the dashboard's bar and `status` draw it. */
export const backfillProgressBodySchema = z.object({
  done: z.number().int().nonnegative().describe('rows scanned so far'),
  total: z.number().int().nonnegative().nullable().describe('rows to scan (an estimate until the backfill is done; never below done); null: unknown'),
  percent: z.number().min(0).max(100).nullable().describe('0–100 (99.9 at most until done); null: the size is unknown'),
  rowsPerSecond: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable().describe('seconds left at the current rate; 0 when done, null when unknown'),
});

/**
 * One migration as a list shows it. What the API answers is only what these schemas name:
 * encoding drops every other field of the records (the target's host, the backfill's cursor).
 */
export const migrationSummaryBodySchema = z.object({
  id: z.number().int().positive(),
  title: z.string(),
  status: migrationStateSchema,
  createdAt: isoDateTime,
  deployedAt: isoDateTime.nullable().describe('when the deploy of code using the new column was marked; null: not yet'),
  seeded: z.boolean().describe('demo history written to the state database only: shown, never run'),
  backfill: z
    .object({
      status: backfillStatusSchema,
      updatedAt: isoDateTime,
      progress: backfillProgressBodySchema,
    })
    .nullable()
    .describe('null: no backfill has started (or the change needs none)'),
});

export const migrationListBodySchema = z.object({
  migrations: z.array(migrationSummaryBodySchema).describe('newest first; a token scoped to one migration sees only that one'),
});
