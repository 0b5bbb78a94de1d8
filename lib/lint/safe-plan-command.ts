import { operationFor } from '../migrations/operations';
import type { OperationSpec } from '../migrations/types';
import { displayName } from './detect-breaking-changes';

/** The `expand-contract plan` command line that plans the same intent safely, in the operation's own words. */
export function safePlanCommand(spec: OperationSpec): string | null {
  const cli = operationFor(spec).cli;
  // Raw SQL is what the linter flags; there is nothing safer to suggest for it.
  if (!cli || !('column' in spec)) return null;
  return `expand-contract plan ${cli.command} ${[displayName(spec.schema, spec.table, spec.column), ...cli.words(spec)].map(shellQuote).join(' ')}`;
}

/** POSIX single quotes, only when the word needs them, so the common case stays copy-paste clean. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.,:/=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
