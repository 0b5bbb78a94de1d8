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
  detail: Record<string, unknown>;
}

/** Newest first, filtered; at most `limit` entries. */
export async function listAudit(pool: Pool, filter: AuditFilter, limit = 500): Promise<AuditEntry[]> {
  const { rows } = await pool.query(
    `SELECT id, at, actor, action, migration_id, detail FROM expand_contract.audit_log
      WHERE ($1::text IS NULL OR actor ILIKE '%' || $1 || '%') AND ($2::text IS NULL OR action LIKE $2 || '%')
        AND ($3::bigint IS NULL OR migration_id = $3) AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5)
      ORDER BY at DESC, id DESC LIMIT $6`,
    [filter.actor || null, filter.action || null, filter.migration ?? null, filter.from ?? null, filter.to ?? null, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    action: r.action,
    migrationId: r.migration_id === null ? null : Number(r.migration_id),
    detail: r.detail,
  }));
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
