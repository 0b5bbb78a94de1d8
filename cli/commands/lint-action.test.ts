import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SarifLog } from '../../lib/lint/to-sarif';
import { sarifSchemaErrors } from '../../tests/helpers/validate-sarif';

/*
 * The composite action that lints a pull request's migrations, run as a runner would run it: its shell
 * steps, with their `env:` expressions filled in, in a real git repository whose branch adds, changes and
 * deletes migrations, calling the real `expand-contract` command through npx.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ACTION_DIR = path.join(ROOT, '.github', 'actions', 'lint-migrations');
const SLOW = 120_000;

interface Step {
  name: string;
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  runs: { using: string; steps: Step[] };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
}

let action: Action;
let repo: string;
let base: string;

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: gitEnv }).trim();
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

async function write(file: string, text: string) {
  await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
  await writeFile(path.join(repo, file), text);
}

beforeAll(async () => {
  action = parse(await readFile(path.join(ACTION_DIR, 'action.yml'), 'utf8')) as Action;

  // An application's repository with the CLI installed, as `npm ci` would leave it.
  repo = await mkdtemp(path.join(os.tmpdir(), 'ec-lint-action-'));
  await writeFile(path.join(repo, 'package.json'), '{ "name": "app", "private": true }\n');
  await mkdir(path.join(repo, 'node_modules', '.bin'), { recursive: true });
  await symlink(path.join(ROOT, 'bin', 'expand-contract.mjs'), path.join(repo, 'node_modules', '.bin', 'expand-contract'));
  await writeFile(path.join(repo, '.gitignore'), 'node_modules/\n*.sarif\n');
  git('init', '-q', '-b', 'main');
  // Already merged: a blocking index build, an error that is not the pull request's to answer for.
  await write('supabase/migrations/20250101000000_init.sql', 'CREATE INDEX users_email_idx ON users (email);\n');
  await write('supabase/migrations/20250101000001_old.sql', 'ALTER TABLE users DROP COLUMN legacy_field;\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');

  git('checkout', '-q', '-b', 'rename');
  await write('supabase/migrations/20250102000000_rename.sql', "SET lock_timeout = '1s';\nALTER TABLE leads RENAME COLUMN user_email TO contact_email;\n");
  await write('supabase/migrations/20250103000000_broken.sql', 'SELECT 1;\nALTER TABL leads;\n');
  await write('docs/example.sql', 'ALTER TABLE a RENAME COLUMN b TO c;\n');
  git('rm', '-q', 'supabase/migrations/20250101000001_old.sql');
  git('add', '-A');
  git('commit', '-q', '-m', 'rename');

  git('checkout', '-q', '-b', 'clean', 'main');
  await write(
    'supabase/migrations/20250104000000_add.sql',
    "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\nALTER TABLE leads ADD COLUMN IF NOT EXISTS note text;\n",
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'clean');

  // The base branch moves on after both branched off: its change is not the pull requests'.
  git('checkout', '-q', 'main');
  await write('supabase/migrations/20250101000000_init.sql', 'CREATE INDEX users_email_idx ON users (email);\nCREATE INDEX users_name_idx ON users (name);\n');
  git('commit', '-q', '-am', 'main moves on');
  base = git('rev-parse', 'HEAD');
}, SLOW);

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

interface Context {
  inputs: Record<string, string>;
  github: { event: { pull_request: { base: { sha: string } } } };
  steps: Record<string, { outputs: Record<string, string> }>;
}

/** The part of GitHub's expression language the action's `env:` and `if:` use: names, `||`, `!=` a literal. */
function evaluate(expression: string, context: Context): string | boolean {
  const value = (name: string): string => {
    const literal = /^'(.*)'$/.exec(name.trim());
    if (literal) return literal[1]!;
    return String(
      name
        .trim()
        .split('.')
        .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], context) ?? '',
    );
  };
  const compare = /^(.+?)\s*(!=|==)\s*(.+)$/.exec(expression.trim());
  if (compare) return (value(compare[1]!) === value(compare[3]!)) === (compare[2] === '==');
  return (
    expression
      .split('||')
      .map(value)
      .find((v) => v !== '') ?? ''
  );
}

const expression = (text: string) => /^\$\{\{(.*)\}\}$/.exec(text.trim())?.[1] ?? null;

function stepEnv(step: Step, context: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(expression(v) === null ? v : evaluate(expression(v)!, context))]));
}

/** Runs the action's shell steps for the branch checked out, the way a runner runs a composite action. */
async function runAction(branch: string, inputs: Record<string, string>) {
  git('checkout', '-q', branch);
  const runnerTemp = await mkdtemp(path.join(os.tmpdir(), 'ec-runner-'));
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
  const context: Context = { inputs: { ...defaults, ...inputs }, github: { event: { pull_request: { base: { sha: base } } } }, steps: {} };
  const ran: { name: string; code: number | null; stdout: string; stderr: string }[] = [];
  for (const step of action.runs.steps) {
    if (!step.run) continue;
    if (step.if && !evaluate(step.if, context)) continue;
    const output = path.join(runnerTemp, `output-${ran.length}`);
    await writeFile(output, '');
    const env = { ...gitEnv, TARGET_DATABASE_URL: '', GITHUB_OUTPUT: output, RUNNER_TEMP: runnerTemp, ...stepEnv(step, context) };
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    ran.push({ name: step.name, ...result });
    const outputs = Object.fromEntries(
      (await readFile(output, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (step.id) context.steps[step.id] = { outputs };
    if (result.code !== 0) break;
  }
  return { ran, context };
}

const annotated = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('::'))
    .map((l) => /^::(\w+) file=([^,]+),line=(\d+)(?:,col=\d+)?,title=([^:]+)::/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ kind: m[1], file: m[2], line: Number(m[3]), title: m[4]!.replace(/%2C/g, ',').replace(/%3A/g, ':') }));

describe('the lint-migrations action', () => {
  it('is a composite action with the documented inputs, and uploads SARIF with the code-scanning action', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['base', 'format', 'path', 'pg-version', 'sarif', 'sarif-file']);
    // glob magic: a plain pathspec's * also matches subfolders, which lint of a directory does not read.
    expect(action.inputs.path!.default).toBe(':(glob)supabase/migrations/*.sql');
    expect(action.inputs.format!.default).toBe('github');
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with).toMatchObject({ sarif_file: '${{ inputs.sarif-file }}' });
    expect(upload?.if).toContain("inputs.sarif == 'true'");
  });

  it('has an example workflow that runs it on pull requests, with inputs it has and the history it needs', async () => {
    const workflow = parse(await readFile(path.join(ACTION_DIR, 'example-workflow.yml'), 'utf8')) as {
      on: Record<string, unknown>;
      permissions: Record<string, string>;
      jobs: Record<string, { steps: Step[] }>;
    };
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    const steps = Object.values(workflow.jobs)[0]!.steps;
    const uses = steps.find((s) => s.uses === './.github/actions/lint-migrations');
    expect(uses).toBeDefined();
    for (const input of Object.keys(uses!.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with).toMatchObject({ 'fetch-depth': 0 });
    expect(steps.some((s) => s.run === 'npm ci')).toBe(true);
    expect(workflow.permissions['security-events']).toBe('write');
  });

  it(
    "lints only the pull request's added and changed migrations, annotates their lines, writes valid SARIF and fails on an error (exit 1)",
    async () => {
      const { ran, context } = await runAction('rename', { 'pg-version': '15', sarif: 'true' });
      const [find, lint] = ran;
      expect(find).toMatchObject({ name: 'Find the changed migrations', code: 0 });
      // Not the deleted file, not the file outside the pathspec, not the base branch's own change.
      expect(context.steps.changed!.outputs.count).toBe('2');
      expect(lint!.stderr).not.toMatch(/^error:/m);
      expect(lint!.code).toBe(1);
      const found = annotated(lint!.stdout);
      expect(new Set(found.map((a) => a.file))).toEqual(
        new Set(['supabase/migrations/20250102000000_rename.sql', 'supabase/migrations/20250103000000_broken.sql']),
      );
      expect(found).toEqual(
        expect.arrayContaining([
          { kind: 'error', file: 'supabase/migrations/20250102000000_rename.sql', line: 2, title: 'breaking-rename-column (expand-contract)' },
          { kind: 'error', file: 'supabase/migrations/20250102000000_rename.sql', line: 2, title: 'renaming-column (squawk)' },
          { kind: 'error', file: 'supabase/migrations/20250103000000_broken.sql', line: 2, title: 'syntax-error (expand-contract)' },
        ]),
      );

      const log = JSON.parse(await readFile(path.join(repo, context.inputs['sarif-file']!), 'utf8')) as SarifLog;
      expect(sarifSchemaErrors(log)).toEqual([]);
      expect(
        log.runs[0]!.results.filter((r) => r.ruleId === 'breaking-rename-column').map((r) => [
          r.locations[0]!.physicalLocation.artifactLocation.uri,
          r.locations[0]!.physicalLocation.region.startLine,
        ]),
      ).toEqual([['supabase/migrations/20250102000000_rename.sql', 2]]);
    },
    SLOW,
  );

  it(
    'passes a pull request whose migrations have only warnings (exit 0), and skips linting when none changed',
    async () => {
      const clean = await runAction('clean', {});
      expect(clean.context.steps.changed!.outputs.count).toBe('1');
      expect(clean.ran.map((r) => [r.name, r.code])).toEqual([
        ['Find the changed migrations', 0],
        ['Lint them', 0],
      ]);
      expect(clean.ran[1]!.stdout).toContain(' in 1 file, 3 statements');

      const none = await runAction('clean', { path: 'db/*.sql' });
      expect(none.context.steps.changed!.outputs.count).toBe('0');
      expect(none.ran.map((r) => r.name)).toEqual(['Find the changed migrations']);
    },
    SLOW,
  );
});
