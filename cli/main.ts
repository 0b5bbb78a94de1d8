import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENV_VARIABLES, parseEnv } from '../lib/config/env';
import { bootstrap } from '../lib/boot/bootstrap';
import { lintCommand } from './commands/lint';
import { migrateCommand } from './commands/migrate';
import { migrationCommand } from './commands/migration';
import { replayCommand } from './commands/replay';
import { tokenCommand } from './commands/token';
import { peopleCommand } from './commands/people';
import { workerCommand } from './commands/worker';
import { planCommand } from './commands/plan';
import { onExit } from './on-exit';
import { fail, say, UsageError } from './output';
import { describeBootstrap, serve } from './serve';

const MIGRATION_COMMANDS = new Set(['create', 'run', 'status', 'deployed', 'pause', 'cancel', 'list', 'export']);

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `expand-contract: zero-downtime Postgres schema changes, the expand-contract way

usage: expand-contract <command> [options]

commands
  dev        start the dashboard in development mode (embedded databases unless configured)
  start      start the production build (run \`npm run build\` first)
  db         start only the databases: apply the state schema, seed the demo, print the URLs
  migrate    apply supabase/migrations to the state database and exit (\`migrate --help\`)
  plan       plan a change as reviewed SQL or Supabase migration files (\`plan --help\`)
  lint       find statements that break running code in SQL files (\`lint --help\`)
  create     register a change for execution; prints its id (\`create --help\`)
  run        run a phase of a registered change: run <id> expand|backfill|verify|contract|rollback|restore
  status     a change's phases, backfill progress, parity and contract gate (--json)
  deployed   mark the deploy of code that uses the new column: deployed <id> [--token T], or take it back: --undo
  pause, cancel, list, export
  user       accounts: user create <email> --role R, user list, user disable (\`user --help\`)
  oncall     the on-call rotation: oncall set, oncall override, oncall show
  replay     the 2am incident, measured: a naive rename vs expand-contract under the same traffic (--json)
  token      API tokens for services (ingest), CD pipelines (deploy) and calendar apps (calendar) (\`token --help\`)
  worker     run queued phases without serving the dashboard
  help       show this text

options
  --port N   the dashboard's port (default: PORT or 3000)
  --host H   the dashboard's address (default: HOST or 127.0.0.1)

environment: ${ENV_VARIABLES.join(', ')} (see README.md)`;

async function main(argv: string[]): Promise<void> {
  // Commands with options of their own parse their arguments themselves. They exit
  // explicitly: the exit hook that stops embedded servers would reset process.exitCode.
  if (argv[0] === 'lint') process.exit(await lintCommand(argv.slice(1)));
  if (argv[0] === 'plan') process.exit(await planCommand(argv.slice(1), parseEnv(process.env), projectDir));
  if (argv[0] === 'worker') {
    if (argv.length > 1) {
      say(
        argv[1] === '--help' || argv[1] === '-h'
          ? 'usage: expand-contract worker   (runs queued phases and the pg_stat_statements sampler; no options)'
          : `error: worker takes no arguments`,
      );
      process.exit(argv[1] === '--help' || argv[1] === '-h' ? 0 : 2);
    }
    return workerCommand(parseEnv(process.env), projectDir);
  }
  if (argv[0] === 'user' || argv[0] === 'oncall') process.exit(await peopleCommand(argv[0], argv.slice(1), parseEnv(process.env), projectDir));
  if (argv[0] === 'replay') process.exit(await replayCommand(argv.slice(1), parseEnv(process.env), projectDir));
  if (argv[0] === 'token') process.exit(await tokenCommand(argv.slice(1), parseEnv(process.env), projectDir));
  if (argv[0] === 'migrate') return migrateCommand(argv.slice(1), parseEnv(process.env), projectDir);
  if (argv[0] && MIGRATION_COMMANDS.has(argv[0])) process.exit(await migrationCommand(argv[0], argv.slice(1), parseEnv(process.env), projectDir));

  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0] ?? 'help';
  if (values.help || command === 'help') return say(HELP);

  const env = parseEnv({ ...process.env, ...(values.port ? { PORT: values.port } : {}), ...(values.host ? { HOST: values.host } : {}) });
  switch (command) {
    case 'dev':
    case 'start':
      return serve({ dev: command === 'dev', env, projectDir });
    case 'db': {
      const boot = await bootstrap(env, { projectDir, log: (l) => say(`  ${l}`) });
      for (const line of describeBootstrap(boot)) say(line);
      // Only the embedded databases' URLs: a configured one holds the user's own password.
      if (boot.stateSource === 'embedded') say(`  psql "${boot.stateUrl}"`);
      if (boot.targetSource === 'embedded-demo') say(`  psql "${boot.targetUrl}"`);
      onExit(() => boot.stop());
      say('  ready; press Ctrl-C to stop');
      // Nothing else keeps the event loop busy once Postgres runs detached from our stdio.
      setInterval(() => {}, 1 << 30);
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}": run \`expand-contract help\``);
  }
}

main(process.argv.slice(2)).catch(fail);
