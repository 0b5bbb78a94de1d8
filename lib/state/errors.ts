import type { MigrationStatus } from './records';
import { AppError } from '../errors/app-error';

export class MigrationNotFoundError extends AppError {
  readonly code = 'migration-not-found';
  readonly kind = 'not-found';
  constructor(readonly id: number) {
    super(`migration ${id} does not exist`);
    this.name = 'MigrationNotFoundError';
  }
}

export class MigrationBusyError extends AppError {
  readonly code = 'migration-busy';
  readonly kind = 'conflict';
  constructor(readonly migrationId: number) {
    super(`migration ${migrationId} is being run by another process right now; wait for it, or see its status`);
    this.name = 'MigrationBusyError';
  }
}

export class DeployNotAllowedError extends AppError {
  readonly code = 'deploy-not-allowed';
  readonly kind = 'conflict';
  constructor(
    readonly id: number,
    readonly status: MigrationStatus,
  ) {
    super(`migration ${id} is ${status}: a deploy can be marked only after expand and before contract`);
    this.name = 'DeployNotAllowedError';
  }
}

export class MigrationAlreadyOpenError extends AppError {
  readonly code = 'migration-already-open';
  readonly kind = 'conflict';
  constructor(
    readonly planId: string,
    readonly existingId: number,
  ) {
    super(`this change is already registered as migration ${existingId} and not finished: ${planId}`);
    this.name = 'MigrationAlreadyOpenError';
  }
}
