import type { MigrationStatus } from './records';

export class MigrationNotFoundError extends Error {
  constructor(readonly id: number) {
    super(`migration ${id} does not exist`);
    this.name = 'MigrationNotFoundError';
  }
}

export class MigrationBusyError extends Error {
  constructor(readonly migrationId: number) {
    super(`migration ${migrationId} is being run by another process right now; wait for it, or see its status`);
    this.name = 'MigrationBusyError';
  }
}

export class DeployNotAllowedError extends Error {
  constructor(
    readonly id: number,
    readonly status: MigrationStatus,
  ) {
    super(`migration ${id} is ${status}: a deploy can be marked only after expand and before contract`);
    this.name = 'DeployNotAllowedError';
  }
}

export class MigrationAlreadyOpenError extends Error {
  constructor(
    readonly planId: string,
    readonly existingId: number,
  ) {
    super(`this change is already registered as migration ${existingId} and not finished: ${planId}`);
    this.name = 'MigrationAlreadyOpenError';
  }
}
