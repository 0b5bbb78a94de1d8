/**
 * What broke during a brownout, read from Postgres jsonlog lines. Pure: text in, breaks out,
 * plus how many bytes were whole lines (a line still being written is left for the next read).
 *
 * A break is an error that names the browned-out column: 42703 undefined_column from a query
 * ("column "user_email" does not exist"), or from PL/pgSQL ("record "new" has no field
 * "user_email"). The query text is the statement the session sent; for code inside a function or
 * a DO block, the statement that failed in there is its internal query or context.
 */

export interface BrownoutBreak {
  /** When the server logged it (ISO). */
  at: string;
  /** log: the target's Postgres log; service: a service's reported error rate. */
  source: 'log' | 'service';
  sqlstate: string;
  message: string;
  /** The statement as sent, or where inside a function it failed, when the log has it. */
  query: string | null;
  application: string | null;
  role: string | null;
  /** Lines like this one (same SQLSTATE, query, application and role). */
  count: number;
}

export interface BreakFilter {
  database: string;
  column: string;
  /** Sessions whose application_name starts with this are the product's own. */
  ownApplicationPrefix: string;
  /** When the chunk was read: the time of a line whose log_timezone is a zone name (CET), which cannot be read exactly. */
  readAt?: Date;
}

const SEVERITIES = new Set(['ERROR', 'FATAL']);
const MAX_TEXT = 500;

const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v.slice(0, MAX_TEXT) : null);

/** Does the message name the column, as Postgres quotes it ("user_email", t.user_email, "Mixed Case")? */
export function namesColumn(message: string, column: string): boolean {
  const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_$])"?${escaped}"?($|[^A-Za-z0-9_$])`).test(message);
}

/**
 * jsonlog's "2026-11-24 10:00:01.123 UTC" as ISO; a numeric log_timezone ("+01", "-05:30") too. A
 * zone name (CET, EST) is ambiguous, so such a line gets the time it was read, a moment later:
 * a break is never dropped for its clock.
 */
function logTime(value: unknown, readAt: Date): string {
  const raw = String(value ?? '');
  const iso = raw
    .replace(' ', 'T')
    .replace(/ UTC$/, 'Z')
    .replace(/ ([+-]\d{2})(?::?(\d{2}))?$/, (_m, h: string, m?: string) => `${h}:${m ?? '00'}`);
  const at = Date.parse(iso);
  return Number.isNaN(at) ? readAt.toISOString() : new Date(at).toISOString();
}

export function findBrownoutBreaks(chunk: string, filter: BreakFilter): { breaks: BrownoutBreak[]; consumedBytes: number } {
  const end = chunk.lastIndexOf('\n');
  if (end < 0) return { breaks: [], consumedBytes: 0 };
  const whole = chunk.slice(0, end + 1);
  const byKey = new Map<string, BrownoutBreak>();
  for (const line of whole.split('\n')) {
    if (!line.trim()) continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!SEVERITIES.has(r.error_severity as string) || r.dbname !== filter.database) continue;
    if (typeof r.application_name === 'string' && r.application_name.startsWith(filter.ownApplicationPrefix)) continue;
    const message = text(r.message) ?? '';
    if (r.state_code !== '42703' || !namesColumn(message, filter.column)) continue;
    const at = logTime(r.timestamp, filter.readAt ?? new Date());
    const inner = text(r.internal_query) ?? text(r.context);
    const statement = text(r.statement);
    const query = statement && inner && !statement.includes(inner) ? `${statement} (in: ${inner})` : (statement ?? inner);
    const found: BrownoutBreak = {
      at,
      source: 'log',
      sqlstate: '42703',
      message,
      query,
      application: text(r.application_name),
      role: text(r.user),
      count: 1,
    };
    const key = JSON.stringify([found.query, found.application, found.role]);
    const known = byKey.get(key);
    if (known) known.count += 1;
    else byKey.set(key, found);
  }
  return { breaks: [...byKey.values()], consumedBytes: Buffer.byteLength(whole) };
}

/** Adds newly found breaks to those kept, like with like. */
export function mergeBreaks(kept: BrownoutBreak[], found: BrownoutBreak[]): BrownoutBreak[] {
  const out = kept.map((b) => ({ ...b }));
  for (const f of found) {
    const same = out.find(
      (b) => b.source === f.source && b.sqlstate === f.sqlstate && b.query === f.query && b.application === f.application && b.role === f.role,
    );
    if (same) same.count += f.count;
    else out.push({ ...f });
  }
  return out;
}
