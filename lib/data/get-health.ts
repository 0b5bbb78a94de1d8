import 'server-only';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from '../config/env';
import { describeUrl, redactSecrets } from '../db/connection-url';
import { probeDatabase, type DatabaseInfo } from '../db/probe-database';
import { probeStatStatements, type StatStatementsStatus } from '../db/probe-stat-statements';
import { statePool, targetPool } from '../db/pools';
import { readStateHistory } from '../db/state-history';
import { readServerHealth, type ServerHealth } from '../signals/read-server-health';
import { targetServers } from '../signals/target-servers';
import { teamTimeZoneSetting } from '../state/team-time-zone';

export type Probe<T> = { ok: true; value: T } | { ok: false; error: string };

export interface StateHealth {
  source: string;
  where: string | null;
  database: Probe<DatabaseInfo>;
  migrations: Probe<{ applied: number; latest: string | null; pending: string[] }>;
  timeZone: string | null;
}

export interface TargetHealth {
  source: string;
  where: string | null;
  database: Probe<DatabaseInfo>;
  statStatements: Probe<StatStatementsStatus>;
  /** Each server whose pg_stat_statements is sampled: the target, then its read replicas. */
  servers: Probe<ServerHealth[]>;
}

export interface Health {
  state: StateHealth;
  target: TargetHealth;
  node: string;
  /** When the checks ran (ms since the epoch): spans on the panel are measured to it. */
  checkedAt: number;
}

async function attempt<T>(fn: () => Promise<T>): Promise<Probe<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: redactSecrets((error as Error).message.split('\n')[0]!) };
  }
}

async function migrationStatus() {
  const rows = await readStateHistory(statePool());
  const files = (await fs.readdir(path.join(process.cwd(), 'supabase', 'migrations')).catch(() => [])).filter((f) => f.endsWith('.sql'));
  const applied = new Set(rows.map((r) => r.version));
  const last = rows.at(-1);
  return {
    applied: rows.length,
    latest: last ? `${last.version}_${last.name ?? ''}` : null,
    pending: files.filter((f) => !applied.has(f.slice(0, 14))).sort(),
  };
}

/** Proof that both connections work, without ever exposing a connection string. */
export async function getHealth(): Promise<Health> {
  const env = parseEnv(process.env);
  const [stateDb, migrations, timeZone, targetDb, statStatements, servers] = await Promise.all([
    attempt(() => probeDatabase(statePool())),
    attempt(migrationStatus),
    attempt(() => teamTimeZoneSetting(statePool())),
    attempt(() => probeDatabase(targetPool())),
    attempt(() => probeStatStatements(targetPool())),
    attempt(async () =>
      env.TARGET_DATABASE_URL
        ? readServerHealth(statePool(), await targetServers(statePool(), env.TARGET_DATABASE_URL, env.TARGET_REPLICA_URLS), new Date(), env.EC_SAMPLE_SECONDS)
        : [],
    ),
  ]);
  return {
    state: {
      source: process.env.EC_STATE_SOURCE ?? 'external',
      where: env.DATABASE_URL ? describeUrl(env.DATABASE_URL) : null,
      database: stateDb,
      migrations,
      timeZone: timeZone.ok ? timeZone.value : null,
    },
    target: {
      source: process.env.EC_TARGET_SOURCE ?? 'external',
      where: env.TARGET_DATABASE_URL ? describeUrl(env.TARGET_DATABASE_URL) : null,
      database: targetDb,
      statStatements,
      servers,
    },
    node: process.version,
    checkedAt: Date.now(),
  };
}
