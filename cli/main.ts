import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fail, UsageError } from './output';
import { projectDir as findProjectDir } from './project-dir';

/**
 * Each command's module is imported only when that command runs: `--help` or `lint` never load
 * pg-boss, Next or the executor. The summaries are the global help; each command prints its own
 * usage with `<command> --help`.
 */
const COMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<number | void> }> = {
  dev: { summary: 'start the dashboard in development mode (embedded databases unless configured)', run: serveCommand('dev') },
  start: { summary: 'start the production build (run `npm run build` first)', run: serveCommand('start') },
  db: { summary: 'start only the databases: apply the state schema, seed the demo, print the URLs', run: serveCommand('db') },
  migrate: {
    summary: 'apply supabase/migrations to the state database and exit',
    run: async (args) => (await import('./commands/migrate')).migrateCommand(args, await env(), projectDir()),
  },
  plan: {
    summary: 'plan a change as reviewed SQL or Supabase migration files',
    run: async (args) => (await import('./commands/plan')).planCommand(args, await env(), projectDir()),
  },
  lint: {
    summary: 'find statements that break running code in SQL files (`-` reads stdin)',
    run: async (args) => (await import('./commands/lint')).lintCommand(args),
  },
  ...Object.fromEntries(
    (
      [
        ['create', 'register a change for execution; prints its id'],
        ['run', 'run a phase of a registered change: run <id> expand|backfill|verify|contract|rollback|restore'],
        ['status', "a change's phases, backfill progress, parity and contract gate"],
        ['deployed', 'mark the deploy of code that uses the new column (or take it back: --undo)'],
        ['pause', 'pause a running backfill after its current batch'],
        ['cancel', 'stop a running backfill after its current batch'],
        ['brownout', 'rehearse the contract: the old column out of reach for some minutes, put back at once if anything breaks'],
        ['list', 'every registered migration'],
        ['export', 'write a phase the executor ran (or a contract the gate allows) as a Supabase migration file'],
      ] as const
    ).map(([name, summary]) => [
      name,
      { summary, run: async (args: string[]) => (await import('./commands/migration')).migrationCommand(name, args, await env(), projectDir()) },
    ]),
  ),
  user: { summary: 'accounts: user create <email> --role R, user list, user disable', run: peopleCommand('user') },
  oncall: { summary: 'the on-call rotation: oncall set, oncall override, oncall show', run: peopleCommand('oncall') },
  replay: {
    summary: 'the 2am incident, measured: a naive rename vs expand-contract under the same traffic',
    run: async (args) => (await import('./commands/replay')).replayCommand(args, await env(), projectDir()),
  },
  token: {
    summary: 'API tokens for services (ingest), CD pipelines (deploy) and calendar apps (calendar)',
    run: async (args) => (await import('./commands/token')).tokenCommand(args, await env(), projectDir()),
  },
  worker: {
    summary: 'run queued phases without serving the dashboard',
    run: async (args) => (await import('./commands/worker')).workerCommand(args, await env(), projectDir()),
  },
};

function serveCommand(name: 'dev' | 'start' | 'db') {
  return async (args: string[]) => (await import('./commands/serve-command')).serveCommand(name, args, projectDir());
}

function peopleCommand(name: 'user' | 'oncall') {
  return async (args: string[]) => (await import('./commands/people')).peopleCommand(name, args, await env(), projectDir());
}

/** The environment, parsed at the edge: loaded only by the commands that need it (zod is not free). */
async function env() {
  const { parseEnv } = await import('../lib/config/env');
  return parseEnv(process.env);
}

let memo: string | undefined;
const projectDir = () => (memo ??= findProjectDir());

function version(): string {
  return (JSON.parse(readFileSync(path.join(projectDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

export const EXIT_CODES = `exit codes: 0 done (or only warnings), 1 findings, refused or failed, 2 the command line (for lint, its input) could not be used`;

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `expand-contract ${version()}: zero-downtime Postgres schema changes, the expand-contract way

usage: expand-contract <command> [options]      expand-contract <command> --help   for a command's own options

commands
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}
  ${'help'.padEnd(width)}  show this text (also --help, -h); --version, -v prints the version

Commands that print data take --json; their errors are then JSON too, on stderr: {"error": {"code", "message", "exitCode"}}.
${EXIT_CODES}
environment: DATABASE_URL, TARGET_DATABASE_URL and the others in README.md (Configuration)`;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `help <command>` is that command's own --help.
  if (command === 'help' && rest.length > 0) return main([rest[0]!, '--help']);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${help()}\n`);
    return;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${version()}\n`);
    return;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command]! : null;
  if (!entry) throw new UsageError(`unknown command "${command}": run \`expand-contract --help\` for the list`);
  const code = await entry.run(rest);
  // Commands that return a code have finished; exiting explicitly, because the exit hook that stops
  // embedded servers would reset process.exitCode. Long-running ones (dev, worker) return nothing.
  if (typeof code === 'number') process.exit(code);
}

main(process.argv.slice(2)).catch((error) => fail(error, process.argv.includes('--json')));
