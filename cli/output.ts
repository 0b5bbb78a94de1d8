import { redactSecrets } from '../lib/db/connection-url';
import { PlanValidationError } from '../lib/migrations/errors';
import { EmbeddedServerError } from '../lib/db/embedded-server';
import { ConnectionLostError } from '../lib/db/watch-connection';
import { AppError } from '../lib/errors/app-error';

/** The command line was not understood: a command prints it with its usage and exits 2; at the top level it exits 1. */
export class UsageError extends AppError {
  readonly code = 'usage';
  readonly kind = 'invalid';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Why a change cannot be planned, each reason with what to do instead. */
export function printPlanErrors(error: PlanValidationError): void {
  process.stderr.write(`cannot plan this change:\n${error.errors.map((e) => `  - ${e.message}\n    what to do: ${e.advice}`).join('\n')}\n`);
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface FailureContext {
  /** Errors that mean this command was typed wrong (exit 2), and the usage text to print after them. */
  usage?: { errors: readonly ErrorClass[]; text?: string };
  /** What to do once a lost database connection is back, said after the loss. */
  afterLoss?: string;
  /** Print an unexpected error's stack, not only its message: at the top level it is a bug to report. */
  stack?: boolean;
}

/**
 * The CLI's one translation of an error into what the person reads and the exit code:
 * - 2: the command was typed wrong (one of its usage errors), followed by its usage text;
 * - 1: anything else. The product's own errors (AppError) are one line, their message; a plan's
 *   reasons are listed one by one with what to do; a lost connection says what to do next; any
 *   other error is its message (its stack at the top level). Secrets in URLs are never printed.
 */
export function reportFailure(error: unknown, context: FailureContext = {}): number {
  const line = (text: string) => process.stderr.write(`error: ${text}\n`);
  if (context.usage?.errors.some((k) => error instanceof k)) {
    line(`${(error as Error).message}${context.usage.text ? `\n${context.usage.text}` : ''}`);
    return 2;
  }
  if (error instanceof PlanValidationError) printPlanErrors(error);
  else if (error instanceof ConnectionLostError && context.afterLoss) line(`${error.message}; ${context.afterLoss}`);
  else if (error instanceof AppError) {
    line(redactSecrets(error.message));
    if (error instanceof EmbeddedServerError && error.logTail.length) {
      process.stderr.write(`last lines from PostgreSQL:\n  ${error.logTail.slice(-8).join('\n  ')}\n`);
    }
  } else line(redactSecrets(error instanceof Error ? (context.stack && error.stack) || error.message : String(error)));
  return 1;
}

/** The top level's way out: the failure reported, exit 1. */
export function fail(error: unknown): never {
  process.exit(reportFailure(error, { stack: true }));
}
