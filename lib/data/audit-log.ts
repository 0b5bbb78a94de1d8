import 'server-only';
import type { Pool } from 'pg';
import { z } from 'zod';
import { migrationIdField } from '../migrations/parse-migration-id';

// Postgres refuses NUL in text, and dates outside its range, with an error: refused here instead.
const filterText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const filterDate = z.coerce
  .date()
  .min(new Date('0001-01-01T00:00:00Z'), 'must be after year 1')
  .max(new Date('9999-12-31T23:59:59Z'), 'must be before year 10000');

export const auditFilterSchema = z.object({
  actor: filterText(320).optional(),
  action: filterText(100).optional(),
  migration: migrationIdField.optional(),
  from: filterDate.optional(),
  to: filterDate.optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: string;
  migrationId: number | null;
  /** The migration's title, for a link that says which one (null: no migration, or it is gone). */
  migrationTitle: string | null;
  detail: Record<string, unknown>;
}

/** Sign-ins and sign-outs: many, and rarely what someone reading the log looks for. */
const SESSION_ACTIONS = 'session.%';

/** The filter as SQL over audit_log aliased `a`, with its parameters from $1 (one place for the list, the count and the export). */
function whereFilter(filter: AuditFilter): { sql: string; params: unknown[] } {
  return {
    sql: `($1::text IS NULL OR a.actor ILIKE '%' || $1 || '%') AND ($2::text IS NULL OR a.action LIKE $2 || '%')
      AND ($3::bigint IS NULL OR a.migration_id = $3) AND ($4::timestamptz IS NULL OR a.at >= $4) AND ($5::timestamptz IS NULL OR a.at < $5)`,
    params: [filter.actor || null, filter.action || null, filter.migration ?? null, filter.from ?? null, filter.to ?? null],
  };
}

/**
 * Newest first, filtered; at most `limit` entries. `sessions: false` leaves sign-ins and
 * sign-outs out (the page folds them); the export and the migration's trail keep everything.
 */
export async function listAudit(pool: Pool, filter: AuditFilter, limit = 500, options: { sessions?: boolean } = {}): Promise<AuditEntry[]> {
  const where = whereFilter(filter);
  const { rows } = await pool.query(
    `SELECT a.id, a.at, a.actor, a.action, a.migration_id, a.detail, m.title AS migration_title
       FROM expand_contract.audit_log a LEFT JOIN expand_contract.migrations m ON m.id = a.migration_id
      WHERE ${where.sql} AND ($6 OR a.action NOT LIKE '${SESSION_ACTIONS}')
      ORDER BY a.at DESC, a.id DESC LIMIT $7`,
    [...where.params, options.sessions ?? true, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    action: r.action,
    migrationId: r.migration_id === null ? null : Number(r.migration_id),
    migrationTitle: r.migration_title ?? null,
    detail: r.detail,
  }));
}

/** How many sign-ins and sign-outs match the filter: what the page says it folded away. */
export async function countSessionEntries(pool: Pool, filter: AuditFilter): Promise<number> {
  const where = whereFilter(filter);
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM expand_contract.audit_log a WHERE ${where.sql} AND a.action LIKE '${SESSION_ACTIONS}'`,
    where.params,
  );
  return rows[0]!.n;
}

/** What the filters offer to pick from: the people and actions in the log, and the migrations (newest first). */
export async function auditChoices(pool: Pool): Promise<{ actors: string[]; actions: string[]; migrations: { id: number; title: string }[] }> {
  const [actors, actions, migrations] = await Promise.all([
    pool.query<{ actor: string }>('SELECT DISTINCT actor FROM expand_contract.audit_log ORDER BY actor LIMIT 200'),
    pool.query<{ action: string }>('SELECT DISTINCT action FROM expand_contract.audit_log ORDER BY action LIMIT 200'),
    pool.query<{ id: string; title: string }>('SELECT id, title FROM expand_contract.migrations ORDER BY id DESC LIMIT 200'),
  ]);
  return {
    actors: actors.rows.map((r) => r.actor),
    actions: actions.rows.map((r) => r.action),
    migrations: migrations.rows.map((r) => ({ id: Number(r.id), title: r.title })),
  };
}

/** RFC 4180 CSV; cells a spreadsheet would run as a formula (=, +, -, @) are prefixed with a quote. */
export function auditCsv(entries: AuditEntry[]): string {
  const cell = (v: unknown) => {
    let s = v instanceof Date ? v.toISOString() : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '');
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['id', 'at', 'actor', 'action', 'migration', 'detail'].join(',')];
  for (const e of entries) lines.push([e.id, e.at, e.actor, e.action, e.migrationId, e.detail].map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
