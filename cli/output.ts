import { redactSecrets } from '../lib/db/connection-url';
import type { PlanValidationError } from '../lib/migrations/errors';
import { EnvError } from '../lib/config/env';
import { ConnectionError } from '../lib/db/check-connection';
import { EmbeddedServerError } from '../lib/db/embedded-server';
import { StateSchemaFailedError, StateSchemaFileNameError } from '../lib/db/state-schema';
import { ConnectionLostError } from '../lib/db/watch-connection';
import { AppError } from '../lib/errors/app-error';

/** A failure the user can act on: printed as one line, exit code 1, no stack trace. */
export class UsageError extends AppError {
  readonly code = 'usage';
  readonly kind = 'invalid';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const KNOWN = [UsageError, EnvError, ConnectionError, ConnectionLostError, EmbeddedServerError, StateSchemaFailedError, StateSchemaFileNameError];

/** Why a change cannot be planned, each reason with what to do instead. */
export function printPlanErrors(error: PlanValidationError): void {
  process.stderr.write(`cannot plan this change:\n${error.errors.map((e) => `  - ${e.message}\n    what to do: ${e.advice}`).join('\n')}\n`);
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Prints an error as one line (plus the server's log tail for embedded start failures). */
export function fail(error: unknown): never {
  if (KNOWN.some((k) => error instanceof k)) {
    process.stderr.write(`error: ${redactSecrets((error as Error).message)}\n`);
    if (error instanceof EmbeddedServerError && error.logTail.length) {
      process.stderr.write(`last lines from PostgreSQL:\n  ${error.logTail.slice(-8).join('\n  ')}\n`);
    }
  } else {
    process.stderr.write(`error: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
  }
  process.exit(1);
}
