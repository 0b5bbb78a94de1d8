import type { Pool } from 'pg';
import { quoteIdent } from '../migrations/quote';

export interface AppOutcomes {
  requests: number;
  errors: number;
  bySqlstate: Record<string, number>;
  /** Requests and errors per second since the replay's clock started, for a chart. */
  perSecond: { second: number; requests: number; errors: number }[];
}

export interface SimulatedApp {
  /** Stops sending (a drained instance), waits for requests in flight, and returns what happened. */
  stop(): Promise<AppOutcomes>;
  outcomes(): AppOutcomes;
}

/**
 * One deployed version of an application: reads, updates and inserts through the one email
 * column it knows (old code: user_email, new code: contact_email), at a steady rate. Every
 * request's outcome is counted by SQLSTATE, as a service's error metrics would be.
 */
export function startApp(
  pool: Pool,
  options: {
    table: string;
    column: string;
    ratePerSecond: number;
    rows: number;
    name: string;
    clockStart?: number;
    /** The app's own request mix; by default reads, updates and inserts through the email column. */
    work?: (pool: Pool, n: number, id: number) => Promise<unknown>;
  },
): SimulatedApp {
  const clockStart = options.clockStart ?? Date.now();
  const table = quoteIdent(options.table);
  const column = quoteIdent(options.column);
  const out: AppOutcomes = { requests: 0, errors: 0, bySqlstate: {}, perSecond: [] };
  const bucket = () => {
    const second = Math.floor((Date.now() - clockStart) / 1000);
    let b = out.perSecond.find((x) => x.second === second);
    if (!b) out.perSecond.push((b = { second, requests: 0, errors: 0 }));
    return b;
  };
  let running = true;
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  const request = async () => {
    n += 1;
    const id = 1 + ((n * 7919) % options.rows);
    const kind = n % 10;
    try {
      if (options.work) await options.work(pool, n, id);
      else if (kind < 6) await pool.query(`SELECT ${column} FROM ${table} WHERE id = $1`, [id]);
      else if (kind < 9) await pool.query(`UPDATE ${table} SET ${column} = $1 WHERE id = $2`, [`${options.name}${n}@example.com`, id]);
      else await pool.query(`INSERT INTO ${table} (${column}, full_name) VALUES ($1, $2)`, [`${options.name}-new${n}@example.com`, `${options.name} ${n}`]);
    } catch (error) {
      out.errors += 1;
      bucket().errors += 1;
      const state = (error as { code?: string }).code ?? 'unknown';
      out.bySqlstate[state] = (out.bySqlstate[state] ?? 0) + 1;
    } finally {
      out.requests += 1;
      bucket().requests += 1;
    }
  };
  const timer = setInterval(() => {
    if (!running) return;
    const p = request().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / options.ratePerSecond);
  return {
    outcomes: () => ({ ...out, bySqlstate: { ...out.bySqlstate }, perSecond: [...out.perSecond] }),
    async stop() {
      running = false;
      clearInterval(timer);
      await Promise.all(inFlight);
      return { ...out, bySqlstate: { ...out.bySqlstate }, perSecond: [...out.perSecond] };
    },
  };
}
