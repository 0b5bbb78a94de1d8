import pg from 'pg';
import { parseEnv } from '../config/env';
import { lostConnection, watchConnection } from './watch-connection';
import { connectTarget, targetSessionHook } from './connect-target';
import { AppError } from '../errors/app-error';

/** The dashboard was started without the variable that says where a database is. */
export class NotConfiguredError extends AppError {
  readonly code = 'not-configured';
  readonly kind = 'unavailable';
  constructor(readonly variable: 'DATABASE_URL' | 'TARGET_DATABASE_URL') {
    super(`${variable} is not set: start the dashboard with \`npm run dev\` (embedded databases) or set ${variable}`);
    this.name = 'NotConfiguredError';
  }
}

// Kept on globalThis so hot reloads in development reuse connections instead of leaking them.
const registry = globalThis as unknown as { __expandContractPools?: Map<string, pg.Pool> };

export function poolFor(connectionString: string, side: 'state' | 'target' = 'state'): pg.Pool {
  registry.__expandContractPools ??= new Map();
  const key = `${side} ${connectionString}`;
  let pool = registry.__expandContractPools.get(key);
  if (!pool) {
    pool = new pg.Pool({
      connectionString,
      max: 5,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Dashboard reads must never hang a page; long work runs elsewhere with its own limits.
      statement_timeout: 15_000,
      application_name: 'expand-contract',
      // pg-pool awaits this before it hands a new connection to anyone, so no query runs before the session is prepared.
      ...(side === 'target' ? { onConnect: targetSessionHook } : {}),
    });
    // An idle client losing its server must not crash the process; the next query reconnects.
    watchConnection(pool, side, connectionString, (line) => process.stderr.write(`${line}\n`));
    registry.__expandContractPools.set(key, pool);
  }
  return pool;
}

export function statePool(): pg.Pool {
  const url = parseEnv(process.env).DATABASE_URL;
  if (!url) throw new NotConfiguredError('DATABASE_URL');
  return poolFor(url);
}

export function targetPool(): pg.Pool {
  const url = parseEnv(process.env).TARGET_DATABASE_URL;
  if (!url) throw new NotConfiguredError('TARGET_DATABASE_URL');
  return poolFor(url, 'target');
}

export async function closeAllPools(): Promise<void> {
  const pools = [...(registry.__expandContractPools?.values() ?? [])];
  registry.__expandContractPools?.clear();
  await Promise.all(pools.map((p) => p.end().catch(() => {})));
}

/**
 * A dedicated target connection for one piece of work, closed afterwards: phases run longer than
 * the pools' 15 s statement timeout allows, and hold session state (locks) of their own.
 */
export async function withTargetClient<T>(fn: (target: pg.Client, url: string) => Promise<T>): Promise<T> {
  const url = parseEnv(process.env).TARGET_DATABASE_URL;
  if (!url) throw new NotConfiguredError('TARGET_DATABASE_URL');
  const target = new pg.Client({ connectionString: url, application_name: 'expand-contract' });
  const watch = watchConnection(target, 'target', url);
  await connectTarget(target);
  try {
    return await fn(target, url);
  } catch (error) {
    throw lostConnection(error, [watch]) ?? error;
  } finally {
    await target.end().catch(() => {});
  }
}
