import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The Supabase CLI the project installs (a dev dependency): the real one, as teams run it. */
export const SUPABASE = path.join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'supabase');

let major: number | undefined;

/**
 * How the installed CLI is told to act on a database by URL: `--remote=<url>` from CLI 3 on, which
 * deprecates `--db-url` (and warns on every use of it); `--db-url <url>` before.
 */
export function databaseFlag(url: string): string[] {
  major ??= Number(/(\d+)\./.exec(execFileSync(SUPABASE, ['--version'], { encoding: 'utf8' }))?.[1] ?? 0);
  return major >= 3 ? [`--remote=${url}`] : ['--db-url', url];
}
