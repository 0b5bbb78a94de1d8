import fs from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';
import { countLogErrors } from '../metrics/postgres-log-counts';
import { lockMetricHours } from './lock-metric-hours';

export interface LogReaderOptions {
  /** The server's log_directory (jsonlog files). */
  logDir: string;
  /** How the state database names the target (host:port/database): the series is stored under it. */
  target: string;
  /** The target's database name: the server's log also holds other databases' errors. */
  database: string;
}

// A first read of a big old file must not hold megabytes in memory at once.
const MAX_CHUNK = 4 * 1024 * 1024;

/**
 * Reads what the server logged since the last read and adds its errors to the target's
 * Postgres series. Counts and the new file offset commit together, so a crash between
 * reads neither loses nor double-counts a line.
 */
export async function readPostgresLog(state: Pool, options: LogReaderOptions): Promise<{ errors: number; bytes: number }> {
  let names: string[];
  try {
    names = (await fs.readdir(options.logDir)).filter((f) => f.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { errors: 0, bytes: 0 };
    throw error;
  }
  let errors = 0;
  let bytes = 0;
  for (const name of names) {
    const file = path.join(options.logDir, name);
    const { rows } = await state.query<{ offset_bytes: string }>('SELECT offset_bytes FROM expand_contract.log_reader_files WHERE target = $1 AND file = $2', [
      options.target,
      name,
    ]);
    let offset = Number(rows[0]?.offset_bytes ?? 0);
    const size = (await fs.stat(file)).size;
    if (size < offset) offset = 0; // the file was truncated and is being rewritten
    while (offset < size) {
      const handle = await fs.open(file, 'r');
      let chunk: Buffer;
      try {
        const length = Math.min(MAX_CHUNK, size - offset);
        chunk = Buffer.alloc(length);
        await handle.read(chunk, 0, length, offset);
      } finally {
        await handle.close();
      }
      const result = countLogErrors(chunk.toString('utf8'), { database: options.database, ownApplicationPrefix: 'expand-contract' });
      if (result.consumedBytes === 0) break; // only a partial line so far
      await withTransaction(state, async (client) => {
        if (result.counts.length > 0) {
          await lockMetricHours(
            client,
            'postgres',
            options.target,
            result.counts.map((c) => c.minute),
            result.counts.map((c) => c.sqlstate),
          );
          await client.query(
            `INSERT INTO expand_contract.metric_minutes AS m (source, service, minute, sqlstate, errors)
             SELECT 'postgres', $1, minute, sqlstate, errors FROM unnest($2::timestamptz[], $3::text[], $4::bigint[]) AS c (minute, sqlstate, errors)
             ORDER BY 3, 4
             ON CONFLICT (source, service, minute, version, sqlstate, route) DO UPDATE SET errors = m.errors + excluded.errors`,
            [options.target, result.counts.map((c) => c.minute), result.counts.map((c) => c.sqlstate), result.counts.map((c) => c.errors)],
          );
        }
        offset += result.consumedBytes;
        await client.query(
          `INSERT INTO expand_contract.log_reader_files (target, file, offset_bytes) VALUES ($1, $2, $3)
           ON CONFLICT (target, file) DO UPDATE SET offset_bytes = excluded.offset_bytes, updated_at = now()`,
          [options.target, name, offset],
        );
      });
      errors += result.counts.reduce((n, c) => n + c.errors, 0);
      bytes += result.consumedBytes;
    }
  }
  return { errors, bytes };
}

/** Reads the log every N seconds until stopped; a failed read is reported once and retried. */
export function startLogReader(state: Pool, options: LogReaderOptions & { everySeconds: number; log?: (line: string) => void }): { stop: () => void } {
  let running = false;
  let lastError = '';
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await readPostgresLog(state, options);
      lastError = '';
    } catch (error) {
      const message = (error as Error).message;
      if (message !== lastError) options.log?.(`postgres log: ${message}`);
      lastError = message;
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.everySeconds * 1000);
  return { stop: () => clearInterval(timer) };
}
