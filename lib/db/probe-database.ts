import type { Queryable } from './queryable';

export interface DatabaseInfo {
  serverVersion: string;
  versionNum: number;
  database: string;
  user: string;
  sizeBytes: number;
  latencyMs: number;
}

export async function probeDatabase(db: Queryable): Promise<DatabaseInfo> {
  const started = performance.now();
  const { rows } = await db.query<{ server_version: string; version_num: string; database: string; user: string; size: string }>(
    `SELECT current_setting('server_version') AS server_version,
            current_setting('server_version_num') AS version_num,
            current_database() AS database,
            current_user AS user,
            pg_database_size(current_database()) AS size`,
  );
  const row = rows[0]!;
  return {
    serverVersion: row.server_version.split(' ')[0]!,
    versionNum: Number(row.version_num),
    database: row.database,
    user: row.user,
    sizeBytes: Number(row.size),
    latencyMs: Math.round((performance.now() - started) * 10) / 10,
  };
}
