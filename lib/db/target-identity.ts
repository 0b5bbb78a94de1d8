import type { ClientBase } from 'pg';
import { AppError } from '../errors/app-error';

/**
 * Which database this connection reaches: its name plus the cluster's system identifier
 * (unique per cluster, stable across restarts and host names). Roles that may not read
 * pg_control_system fall back to the server's address and port.
 */
export async function targetIdentity(client: ClientBase): Promise<string> {
  const { rows } = await client.query<{ db: string; addr: string | null; port: number | null }>(
    'SELECT current_database() AS db, host(inet_server_addr()) AS addr, inet_server_port() AS port',
  );
  const { db, addr, port } = rows[0]!;
  try {
    const sys = await client.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    return `${db}@cluster:${sys.rows[0]!.id}`;
  } catch {
    return `${db}@${addr ?? 'local'}:${port ?? ''}`;
  }
}

export class WrongTargetError extends AppError {
  readonly code = 'wrong-target';
  readonly kind = 'conflict';
  constructor(
    readonly migrationId: number,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `migration ${migrationId} was planned against ${expected}, but the target connection reaches ${actual}: point TARGET_DATABASE_URL at the right database`,
    );
    this.name = 'WrongTargetError';
  }
}
