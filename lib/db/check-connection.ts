import pg from 'pg';
import { hostOf } from './connection-url';
import { AppError } from '../errors/app-error';
import { SQL_STATE } from './sql-state';

/** A configured database that cannot be used, named by the variable that points at it. */
export class ConnectionError extends AppError {
  readonly code = 'cannot-connect';
  readonly kind = 'unavailable';
  constructor(
    readonly variable: string,
    readonly host: string,
    readonly reason: string,
  ) {
    super(`${variable}: cannot connect to ${host}: ${reason}`);
    this.name = 'ConnectionError';
  }
}

const CONNECT_TIMEOUT_MS = 5_000;

function explain(error: unknown, connectionString: string): string {
  const e = error as { code?: string; message?: string };
  const user = decodeURIComponent(new URL(connectionString).username || 'postgres');
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and listening on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
      return `timed out after ${CONNECT_TIMEOUT_MS / 1000} s`;
    case SQL_STATE.invalidPassword:
      return `password authentication failed for user "${user}"`;
    case SQL_STATE.invalidAuthorizationSpecification:
      return `the server does not accept user "${user}" from this host (pg_hba.conf)`;
    case SQL_STATE.invalidCatalogName:
      return (e.message ?? 'database does not exist').split('\n')[0]!;
    default:
      if (/timeout/i.test(e.message ?? '')) return `timed out after ${CONNECT_TIMEOUT_MS / 1000} s`;
      return (e.message ?? String(error)).split('\n')[0]!;
  }
}

/** Opens and closes one connection; returns the server version or throws ConnectionError. */
export async function checkConnection(variable: string, connectionString: string): Promise<{ serverVersion: string }> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'expand-contract' });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return { serverVersion: rows[0]!.server_version };
  } catch (error) {
    throw new ConnectionError(variable, hostOf(connectionString), explain(error, connectionString));
  } finally {
    await client.end().catch(() => {});
  }
}
