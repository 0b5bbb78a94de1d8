import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

// The command line's conventions, on the real built command: --version, a --help of each command's own,
// exit codes 0 / 1 / 2, and --json output whose errors are JSON too, on stderr.
let w: ExecutorWorld;
const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };

async function cli(args: string[], withDatabases = true) {
  const p = runCli(args, withDatabases ? { DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url } : {});
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

const COMMANDS = [
  'dev',
  'start',
  'db',
  'migrate',
  'plan',
  'lint',
  'create',
  'run',
  'status',
  'deployed',
  'pause',
  'cancel',
  'list',
  'export',
  'user',
  'oncall',
  'replay',
  'token',
  'worker',
];

beforeAll(async () => {
  w = await executorWorld('cli_conventions');
  await w.target.query(
    "CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 50) g",
  );
});
afterAll(async () => {
  await w.close();
});

describe('the command line follows the conventions of the tools it sits next to', () => {
  it('prints its version, and a help that names every command and the exit codes', async () => {
    for (const flag of ['--version', '-v']) expect(await cli([flag], false)).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
    const help = await cli(['--help'], false);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.out).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(help.out).toContain(
      'exit codes: 0 done (or only warnings), 1 findings, refused or failed, 2 the command line (for lint, its input) could not be used',
    );
  });

  it("gives every command a --help of its own: that command's usage, not the global help or another command's", async () => {
    for (const command of COMMANDS) {
      const { code, out, err } = await cli([command, '--help'], false);
      expect({ command, code, err }).toEqual({ command, code: 0, err: '' });
      expect(out, command).toMatch(new RegExp(`usage:\\s+expand-contract ${command}\\b`));
      expect(out, command).not.toContain('commands\n');
      // Each migration command's usage is its own: `run --help` does not list how to export.
      if (command === 'run') expect(out).not.toContain('expand-contract export');
    }
  }, 240_000);

  it("exits 2 for what was typed wrong, printing only that command's usage, and 1 for what was refused", async () => {
    const unknown = await cli(['frobnicate'], false);
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toContain('unknown command "frobnicate"');

    const badId = await cli(['status', 'abc']);
    expect(badId.code).toBe(2);
    expect(badId.err).toContain('expected a migration id');
    expect(badId.err).toContain('usage: expand-contract status');
    expect(badId.err).not.toContain('expand-contract export');

    const badOption = await cli(['list', '--frobnicate']);
    expect(badOption.code).toBe(2);
    expect(await cli(['list', 'extra'])).toMatchObject({ code: 2, err: expect.stringContaining('list takes 0 argument(s)') });
    // `help <command>` is that command's --help; an unknown one is a usage error.
    const helpRun = await cli(['help', 'run'], false);
    expect(helpRun.code).toBe(0);
    expect(helpRun.out).toMatch(/^usage: expand-contract run <id> <phase>/);
    expect((await cli(['help', 'frobnicate'], false)).code).toBe(2);

    const missing = await cli(['status', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.err).not.toContain('usage:');
  }, 120_000);

  it('prints data as JSON with --json, and its errors as one JSON document on stderr with nothing on stdout', async () => {
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'email' });

    const list = await cli(['list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ id, status: 'planned', title: expect.stringContaining('user_email') })]);

    // The same list for people, off a terminal: plain padded columns under a header, no border glyphs.
    const text = await cli(['list']);
    expect(text.out.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^id {2}state {4}title$/),
      expect.stringMatching(new RegExp(`^${id} +planned {2}Rename`)),
    ]);
    expect(text.out).not.toMatch(/[│┌─]/);

    const status = await cli(['status', String(id), '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ id, status: 'planned', gate: { allowed: false } });

    const missing = await cli(['status', '999999', '--json']);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(JSON.parse(missing.err)).toEqual({ error: { code: 'migration-not-found', message: expect.stringContaining('999999'), exitCode: 1 } });

    const usage = await cli(['status', 'abc', '--json']);
    expect(usage).toMatchObject({ code: 2, out: '' });
    expect(JSON.parse(usage.err)).toMatchObject({ error: { code: 'usage', exitCode: 2 } });

    // A plan the schema refuses: its reasons, each with what to do, as JSON.
    const refused = await cli(['plan', 'rename', 'public.leads.nope', 'other', '--json']);
    expect(refused).toMatchObject({ code: 1, out: '' });
    const error = JSON.parse(refused.err) as { error: { code: string; reasons: { message: string; advice: string }[] } };
    expect(error.error.code).toBe('plan-invalid');
    expect(error.error.reasons[0]).toEqual({ message: expect.stringContaining('nope'), advice: expect.any(String) });

    // Refused, not mistyped: a pause with no backfill running is a JSON error with its own code.
    const pause = await cli(['pause', String(id), '--json']);
    expect(pause).toMatchObject({ code: 1, out: '' });
    expect(JSON.parse(pause.err)).toEqual({ error: { code: 'no-running-backfill', message: `migration ${id} has no running backfill`, exitCode: 1 } });

    // Accounts and tokens need only the state database: a target that is down does not block them.
    const users = runCli(['user', 'list', '--json'], { DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: 'postgresql://nobody:secret@127.0.0.1:1/none' });
    expect(await users.exited, users.stderr()).toBe(0);
    expect(Array.isArray(JSON.parse(users.stdout()))).toBe(true);

    // The state schema, already applied: nothing new, as data.
    const migrate = await cli(['migrate', '--json']);
    expect(migrate.code, migrate.err).toBe(0);
    expect(JSON.parse(migrate.out)).toMatchObject({ applied: [], alreadyApplied: expect.any(Number), history: { table: expect.any(String) } });

    const unknown = await cli(['frobnicate', '--json'], false);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.err)).toMatchObject({ error: { code: 'usage', exitCode: 2 } });
  }, 180_000);
});
