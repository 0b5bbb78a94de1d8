import { safePlanCommand } from './safe-plan-command';
import type { LintFinding } from './types';

/** What to do about a finding, one line each (its help, the safe plan's command), as every report format prints it. */
export function findingAdvice(f: LintFinding): string[] {
  const lines: string[] = [];
  if (f.help) lines.push(`help: ${f.help}`);
  const command = f.suggestion ? safePlanCommand(f.suggestion) : null;
  if (command) lines.push(`plan it safely: ${command}`);
  return lines;
}
