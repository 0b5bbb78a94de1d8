import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script, without types.
import { buildCli, cliBuildIsStale } from '../scripts/build-cli.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'expand-contract.mjs');

// A module hook that names every package the command imports, on stderr.
const hook = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(s, c, n) {
  const r = await n(s, c);
  const m = /node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)/.exec(r.url);
  if (m) process.stderr.write('PACKAGE ' + m[1] + '\\\\n');
  return r;
}\`));`)}`;

/** The packages a command loads, by running the real built command with the hook. */
function packagesLoadedBy(args: string[]): string[] {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|TARGET_DATABASE_URL)$/.test(k)));
  const run = spawnSync(process.execPath, ['--import', hook, bin, ...args], { cwd: root, env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
  return [...new Set([...run.stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((m) => m[1]!))].sort();
}

beforeAll(async () => {
  await buildCli();
}, 60_000);

describe('the built command line', () => {
  it('starts --help and --version without loading any package: no TypeScript transpiler, no pg, no Next', () => {
    expect(packagesLoadedBy(['--help'])).toEqual([]);
    expect(packagesLoadedBy(['--version'])).toEqual([]);
    expect(packagesLoadedBy(['lint', '--help'])).toEqual([]);
  }, 30_000);

  it('lints SQL alone with the parser as its only package (squawk is its own process); pg only comes with a target', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ec-cli-build-'));
    const file = path.join(dir, 'rename.sql');
    writeFileSync(file, 'ALTER TABLE leads RENAME COLUMN user_email TO email;\n');
    expect(packagesLoadedBy(['lint', file])).toEqual(['libpg-query']);
  }, 30_000);

  it('is rebuilt when a source file is newer than the build, or gone; a build without its sources (a package) is kept', () => {
    const now = Date.now();
    expect(cliBuildIsStale(null)).toBe(true);
    expect(cliBuildIsStale({ builtAt: now + 60_000, inputs: ['cli/main.ts', 'lib/lint/lint-sql.ts'] })).toBe(false);
    expect(cliBuildIsStale({ builtAt: 0, inputs: ['cli/main.ts'] })).toBe(true);
    expect(cliBuildIsStale({ builtAt: now + 60_000, inputs: ['cli/no-such-file.ts'] })).toBe(true);
  });
});
