/**
 * Errors in a chunk of Postgres jsonlog output, counted per minute and SQLSTATE. Pure: text
 * in, counts out, plus how many bytes were whole lines (a line still being written is left
 * for the next read).
 */

export interface LogErrorCount {
  minute: Date;
  sqlstate: string;
  errors: number;
}

export interface LogFilter {
  /** Only errors in this database count: the server may host others (the dashboard's own state). */
  database: string;
  /** Errors of sessions whose application_name starts with this are the product's own (lock-timeout retries). */
  ownApplicationPrefix: string;
}

const SEVERITIES = new Set(['ERROR', 'FATAL', 'PANIC']);

/** jsonlog writes "2026-11-24 10:00:01.123 UTC" in log_timezone, which the embedded server sets to UTC. */
function parseLogTime(text: string): number {
  const iso = text.replace(' ', 'T').replace(/ UTC$/, 'Z');
  return Date.parse(iso);
}

export function countLogErrors(chunk: string, filter: LogFilter): { counts: LogErrorCount[]; consumedBytes: number; lines: number; unreadable: number } {
  const end = chunk.lastIndexOf('\n');
  if (end < 0) return { counts: [], consumedBytes: 0, lines: 0, unreadable: 0 };
  const whole = chunk.slice(0, end + 1);
  const byKey = new Map<string, LogErrorCount>();
  let lines = 0;
  let unreadable = 0;
  for (const line of whole.split('\n')) {
    if (!line.trim()) continue;
    lines += 1;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      unreadable += 1;
      continue;
    }
    if (!SEVERITIES.has(record.error_severity as string)) continue;
    if (record.dbname !== filter.database) continue;
    if (typeof record.application_name === 'string' && record.application_name.startsWith(filter.ownApplicationPrefix)) continue;
    const at = parseLogTime(String(record.timestamp ?? ''));
    if (Number.isNaN(at)) {
      unreadable += 1;
      continue;
    }
    const minute = new Date(Math.floor(at / 60_000) * 60_000);
    const sqlstate = typeof record.state_code === 'string' ? record.state_code : 'XX000';
    const key = `${minute.getTime()}:${sqlstate}`;
    const entry = byKey.get(key) ?? { minute, sqlstate, errors: 0 };
    entry.errors += 1;
    byKey.set(key, entry);
  }
  return { counts: [...byKey.values()], consumedBytes: Buffer.byteLength(whole), lines, unreadable };
}
