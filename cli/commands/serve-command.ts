import { parseArgs } from 'node:util';
import { parseEnv } from '../../lib/config/env';
import { bootstrap } from '../../lib/boot/bootstrap';
import { onExit } from '../on-exit';
import { reportFailure, say } from '../output';
import { describeBootstrap, serve } from '../serve';

const USAGE: Record<'dev' | 'start' | 'db', string> = {
  dev: `usage: expand-contract dev [--port N] [--host H]

Starts the dashboard in development mode. Without DATABASE_URL and TARGET_DATABASE_URL it starts an
embedded PostgreSQL with the state and the demo database; with them it uses those.`,
  start: `usage: expand-contract start [--port N] [--host H]

Starts the production build (\`npm run build\` first), with the same databases as dev.`,
  db: `usage: expand-contract db

Starts only the databases: applies the state schema, seeds the demo and prints their URLs; Ctrl-C stops them.`,
};

const OPTIONS_HELP = `
  --port N   the dashboard's port (default: PORT or 3000)
  --host H   the dashboard's address (default: HOST or 127.0.0.1)`;

/** `dev`, `start` and `db`: they run until stopped, so they return a code only when they cannot start. */
export async function serveCommand(command: 'dev' | 'start' | 'db', args: string[], projectDir: string): Promise<number | void> {
  const usage = `${USAGE[command]}${command === 'db' ? '' : OPTIONS_HELP}`;
  let values: { port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options:
        command === 'db'
          ? { help: { type: 'boolean', short: 'h' } }
          : { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return reportFailure(error, { usage: { errors: [Error], text: usage } });
  }
  if (values.help) {
    say(usage);
    return 0;
  }
  const env = parseEnv({ ...process.env, ...(values.port ? { PORT: values.port } : {}), ...(values.host ? { HOST: values.host } : {}) });
  if (command !== 'db') return serve({ dev: command === 'dev', env, projectDir });

  const boot = await bootstrap(env, { projectDir, log: (l) => say(`  ${l}`) });
  for (const line of describeBootstrap(boot)) say(line);
  // Only the embedded databases' URLs: a configured one holds the user's own password.
  if (boot.stateSource === 'embedded') say(`  psql "${boot.stateUrl}"`);
  if (boot.targetSource === 'embedded-demo') say(`  psql "${boot.targetUrl}"`);
  onExit(() => boot.stop());
  say('  ready; press Ctrl-C to stop');
  // Nothing else keeps the event loop busy once Postgres runs detached from our stdio.
  setInterval(() => {}, 1 << 30);
}
