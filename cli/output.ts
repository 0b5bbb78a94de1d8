import { redactSecrets } from '../lib/db/connection-url';
import { PlanValidationError } from '../lib/migrations/errors';
import { EmbeddedServerError } from '../lib/db/embedded-server-error';
import { ConnectionLostError } from '../lib/db/connection-lost-error';
import { AppError } from '../lib/errors/app-error';

/** The command line was not understood: exit 2, with the command's usage when it has one. */
export class UsageError extends AppError {
  readonly code = 'usage';
  readonly kind = 'invalid';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command cannot do what was asked here and now (a port in use, no build): exit 1, never the usage text. */
export class CommandRefusedError extends AppError {
  readonly kind = 'conflict';
  constructor(
    message: string,
    /** Stable and kebab-case, for a pipeline reading the --json error. */
    readonly code: string = 'refused',
  ) {
    super(message);
    this.name = 'CommandRefusedError';
  }
}

/** Why a change cannot be planned, each reason with what to do instead. */
export function printPlanErrors(error: PlanValidationError): void {
  process.stderr.write(`cannot plan this change:\n${error.errors.map((e) => `  - ${e.message}\n    what to do: ${e.advice}`).join('\n')}\n`);
}

/**
 * A command's two ways to print: `out` for people, `data` for one JSON document. With --json, stdout
 * holds that document alone and what people read goes to stderr, so a pipeline parses stdout as it is.
 */
export function commandOutput(json: boolean): { out: (line: string) => void; data: (value: unknown) => void } {
  return {
    out: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
    data: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
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
  /** The command was given --json: the error is one JSON document on stderr too (see {@link jsonError}). */
  json?: boolean;
}

/** The shape of every error a command prints with --json, so a pipeline parses one format. */
export interface JsonError {
  error: {
    /** Stable and kebab-case: the product's error code, `usage` for a mistyped command, `error` for anything else. */
    code: string;
    message: string;
    exitCode: 1 | 2;
    /** A plan's reasons, each with what to do instead. */
    reasons?: { message: string; advice: string }[];
  };
}

export function jsonError(error: unknown, exitCode: 1 | 2): JsonError {
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  const code = exitCode === 2 ? 'usage' : error instanceof AppError ? error.code : 'error';
  const reasons = error instanceof PlanValidationError ? error.errors.map((e) => ({ message: e.message, advice: e.advice })) : undefined;
  return { error: { code, message, exitCode, ...(reasons ? { reasons } : {}) } };
}

/**
 * The CLI's one translation of an error into what the person reads and the exit code:
 * - 2: the command was typed wrong (one of its usage errors), followed by its usage text;
 * - 1: anything else. The product's own errors (AppError) are one line, their message; a plan's
 *   reasons are listed one by one with what to do; a lost connection says what to do next; any
 *   other error is its message (its stack at the top level). Secrets in URLs are never printed.
 */
export function reportFailure(error: unknown, context: FailureContext = {}): number {
  if (context.json) {
    const exitCode = context.usage?.errors.some((k) => error instanceof k) ? 2 : 1;
    process.stderr.write(`${JSON.stringify(jsonError(error, exitCode))}\n`);
    return exitCode;
  }
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

/** The top level's way out: a usage error exits 2 (with no usage text: the command said where to look), anything else 1. */
export function fail(error: unknown, json = false): never {
  process.exit(reportFailure(error, { stack: true, json, usage: { errors: [UsageError] } }));
}
