import { renderStep } from '../../lib/migrations/render-sql';
import type { SchemaSnapshot, TableInfo } from '../../lib/migrations/schema';
import type { Phase, Plan } from '../../lib/migrations/types';

const col = (name: string, type: string, nullable = true, defaultExpression: string | null = null, position = 1) => ({
  name,
  type,
  nullable,
  defaultExpression,
  position,
  identity: '' as const,
  generated: '' as const,
});

/** The demo world as the planner sees it, for tests that need no database. */
export const leadsTable: TableInfo = {
  schema: 'public',
  name: 'leads',
  columns: [col('id', 'bigint', false), col('user_email', 'text', false), col('source', 'text', false, "'web'::text")],
  primaryKey: ['id'],
  estimatedRows: 100000,
  totalBytes: 18_000_000,
  rlsEnabled: false,
  dependents: [
    {
      column: 'user_email',
      kind: 'index',
      name: 'leads_user_email_idx',
      definition: 'CREATE INDEX leads_user_email_idx ON public.leads USING btree (user_email)',
      index: { unique: false, columnCount: 1, partial: false, expression: false, primary: false, constraint: false, method: 'btree', plain: true },
    },
  ],
};

export const membershipsTable: TableInfo = {
  schema: 'public',
  name: 'memberships',
  columns: [col('org_id', 'uuid', false), col('user_id', 'bigint', false), col('role', 'text')],
  primaryKey: ['org_id', 'user_id'],
  estimatedRows: 10,
  totalBytes: 8192,
  rlsEnabled: true,
  dependents: [],
};

export const demoSnapshot: SchemaSnapshot = { schemas: ['public'], tables: [leadsTable, membershipsTable] };

/**
 * A phase's steps as a migration file runs them (DDL in BEGIN … COMMIT with SET LOCAL timeouts,
 * checks as assertions), each headed by its id and lock instead of its description.
 */
export function phaseSql(plan: Plan, phase: Phase): string {
  return plan.steps
    .filter((s) => s.phase === phase)
    .map((s) => `-- ${s.id.slice(plan.id.length + 1)} (${s.lock})\n${renderStep(s).replace(/^(--.*\n){3}/, '')}`)
    .join('\n\n');
}
