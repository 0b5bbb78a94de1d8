import 'server-only';
import { parseEnv } from '../config/env';
import { redactSecrets } from '../db/connection-url';
import { statePool, targetPool } from '../db/pools';
import { isConnectionLoss } from '../db/watch-connection';
import { AppError } from '../errors/app-error';
import { gatePolicy } from '../gate/gate-policy';
import { readMigrationStatus, type MigrationStatus } from '../signals/read-migration-status';
import { StateStore } from '../state/state-store';

/** The gate reads both databases; one of them is gone for now. Says neither's host: the caller holds a token, not credentials. */
export class StatusUnavailableError extends AppError {
  readonly code = 'status-unavailable';
  readonly kind = 'unavailable';
  constructor(options?: { cause?: unknown }) {
    super('a database the status is read from cannot be reached now: try again later', options);
    this.name = 'StatusUnavailableError';
  }
}

/**
 * One migration's status for the HTTP API, with the contract gate judged now. A migration that
 * does not exist is MigrationNotFoundError before the target is asked. Failure texts pass
 * through redactSecrets: they come from drivers and servers, and leave the server here.
 */
export async function getMigrationStatus(id: number, at = new Date()): Promise<MigrationStatus> {
  try {
    const store = new StateStore(statePool());
    const migration = await store.getMigration(id);
    const target = await targetPool().connect();
    try {
      const status = await readMigrationStatus({ store, target, ...gatePolicy(parseEnv(process.env)) }, migration, at);
      return {
        ...status,
        phases: status.phases.map((p) => ({ ...p, error: p.error && redactSecrets(p.error) })),
        backfill: status.backfill && { ...status.backfill, error: status.backfill.error && redactSecrets(status.backfill.error) },
      };
    } finally {
      target.release();
    }
  } catch (error) {
    // A pipeline polling the gate should wait and ask again, not read a 500 as a verdict.
    throw isConnectionLoss(error) ? new StatusUnavailableError({ cause: error }) : error;
  }
}
