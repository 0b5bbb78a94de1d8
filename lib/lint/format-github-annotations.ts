import { findingAdvice } from './finding-advice';
import type { LintFileResult } from './lint-sql';
import { reportPath } from './report-path';

/*
 * GitHub Actions turns these workflow commands, printed by a step, into annotations on the lines of the
 * pull request's diff. The escapes are the runner's own (actions/toolkit's command.ts): a raw newline
 * would end the command, and in a property a `,` or `:` would end the value.
 */

/** Escapes a workflow command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value (file, title). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One `::error` or `::warning` command per finding, at its file (relative to `cwd`, which in a workflow
 * is the repository's root), line and column; the message carries the help and the safe plan.
 */
export function formatGithubAnnotations(results: readonly LintFileResult[], cwd: string): string[] {
  return results.flatMap((result) =>
    result.findings.map((f) => {
      const properties = [
        `file=${escapeProperty(reportPath(result.file, cwd))}`,
        `line=${f.line}`,
        ...(f.column === undefined ? [] : [`col=${f.column}`]),
        `title=${escapeProperty(`${f.rule} (${f.source})`)}`,
      ];
      return `::${f.severity} ${properties.join(',')}::${escapeData([f.message, ...findingAdvice(f)].join('\n'))}`;
    }),
  );
}
