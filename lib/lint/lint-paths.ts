import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error';
import type { LintFileResult, LintOptions } from './lint-sql';
import { lintSource } from './lint-source';
import { knownTables } from './find-unknown-names';

/** The path that means "read the SQL from standard input", as most command-line tools spell it. */
export const STDIN_PATH = '-';

/** Nothing to lint at that path. */
export class LintPathError extends AppError {
  readonly code = 'nothing-to-lint';
  readonly kind = 'not-found';
  constructor(
    readonly path: string,
    readonly reason: 'not-found' | 'no-sql-files' | 'no-stdin',
  ) {
    super(
      {
        'not-found': `${path}: no such file or directory`,
        'no-sql-files': `${path}: no .sql files in this directory`,
        'no-stdin': `${path}: standard input can be read only once`,
      }[reason],
    );
    this.name = 'LintPathError';
  }
}

export interface LintPathsOptions extends Omit<LintOptions, 'fileName'> {
  /** Where `-` reads from, and the name its findings are reported under (e.g. `<stdin>` or the file it came from). */
  stdin?: { name: string; read: () => Promise<string> };
}

/**
 * Lints files, every .sql file directly inside each directory (in name order: migration order for
 * timestamp-named files such as Supabase's), and `-` for standard input, in the order given. Every
 * path is checked before anything is linted, so a typo fails fast instead of after a long run; a file
 * named twice is linted once.
 */
export async function lintPaths(targets: readonly string[], options: LintPathsOptions = {}): Promise<LintFileResult[]> {
  const { stdin, ...lintOptions } = options;
  const sources: (string | typeof STDIN_PATH)[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    if (target === STDIN_PATH) {
      if (!stdin || sources.includes(STDIN_PATH)) throw new LintPathError(target, 'no-stdin');
      sources.push(STDIN_PATH);
      continue;
    }
    for (const file of await sqlFilesAt(target)) {
      const key = path.resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      sources.push(file);
    }
  }

  const results: LintFileResult[] = [];
  // In order, one at a time: each file starts a Squawk process, and what a file creates is known to the
  // files after it (a migration that creates a table, then one that alters it).
  const inOrder = lintOptions.schema ? { ...lintOptions, knownTables: lintOptions.knownTables ?? knownTables(lintOptions.schema) } : lintOptions;
  for (const source of sources) {
    if (source === STDIN_PATH) results.push(await lintSource(await stdin!.read(), stdin!.name, inOrder));
    else results.push(await lintSource(await readFile(source, 'utf8'), source, inOrder));
  }
  return results;
}

async function sqlFilesAt(fileOrDir: string): Promise<string[]> {
  let info;
  try {
    info = await stat(fileOrDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new LintPathError(fileOrDir, 'not-found');
    throw error;
  }
  if (!info.isDirectory()) return [fileOrDir];
  const entries = await readdir(fileOrDir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.sql'))
    .map((e) => e.name)
    .sort()
    .map((name) => path.join(fileOrDir, name));
  if (files.length === 0) throw new LintPathError(fileOrDir, 'no-sql-files');
  return files;
}
