import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Env } from '../../lib/config/env';
import { checkConnection } from '../../lib/db/check-connection';
import { redactSecrets } from '../../lib/db/connection-url';
import { sameDatabase } from '../../lib/db/same-database';
import { applyStateSchema, readStateSchema, type StateSchemaOptions } from '../../lib/db/state-schema';
import { lostConnection, watchConnection } from '../../lib/db/watch-connection';
import { CommandRefusedError, reportFailure, say } from '../output';
import { stateSchemaLines } from '../state-schema-lines';

export const MIGRATE_USAGE = `usage: expand-contract migrate [--shared-with-app] [--json]

Applies supabase/migrations to DATABASE_URL. Its history goes where the Supabase CLI keeps one
(supabase_migrations.schema_migrations) while the database is the state's alone, and into
expand_contract.schema_migrations once it also holds an application, so the app's \`supabase db push\`
never meets versions it has no file for.

  --shared-with-app   this database also holds an application (or will): keep the state's history
                      apart from the CLI's, and move the state's versions out of it. Needed only when
                      the app has pushed nothing yet and TARGET_DATABASE_URL is another database.
  --json              print what was applied and where the history is kept as one JSON document`;

/** `expand-contract migrate`: the state schema, applied to DATABASE_URL, with where its history is kept. */
export async function migrateCommand(argv: string[], env: Env, projectDir: string): Promise<number> {
  let values: { 'shared-with-app'?: boolean; help?: boolean; json?: boolean };
  const json = argv.includes('--json');
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'shared-with-app': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return reportFailure(error, { usage: { errors: [Error], text: MIGRATE_USAGE }, json });
  }
  if (values.help) {
    say(MIGRATE_USAGE);
    return 0;
  }
  if (!env.DATABASE_URL) {
    throw new CommandRefusedError('DATABASE_URL is not set: the embedded state database is migrated at every `npm run dev`');
  }
  await checkConnection('DATABASE_URL', env.DATABASE_URL);
  const options: StateSchemaOptions = {};
  if (values['shared-with-app']) options.sharedWithApp = 'requested';
  else if (env.TARGET_DATABASE_URL) {
    try {
      if (await sameDatabase(env.DATABASE_URL, env.TARGET_DATABASE_URL)) options.sharedWithApp = 'same-database';
    } catch (error) {
      // A remark for people: never inside the JSON document on stdout.
      (json ? process.stderr : process.stdout).write(
        `  note: TARGET_DATABASE_URL could not be reached to tell whether it is this database (${redactSecrets((error as Error).message.split('\n')[0]!)}); if it is, run migrate with --shared-with-app\n`,
      );
    }
  }
  const files = await readStateSchema(path.join(projectDir, 'supabase', 'migrations'));
  const client = new pg.Client({ connectionString: env.DATABASE_URL, application_name: 'expand-contract' });
  const watch = watchConnection(client, 'state', env.DATABASE_URL);
  try {
    await client.connect();
    const report = await applyStateSchema(client, files, options);
    if (json) {
      const { history } = report;
      say(
        JSON.stringify(
          { applied: report.applied.map((m) => m.file), alreadyApplied: report.alreadyApplied, changedSinceApplied: report.changedSinceApplied, history },
          null,
          2,
        ),
      );
      return 0;
    }
    for (const m of report.applied) say(`  applied ${m.file}`);
    say(`  ${report.applied.length} applied, ${report.alreadyApplied} already applied`);
    for (const line of stateSchemaLines(report, env.DATABASE_URL)) say(line);
    return 0;
  } catch (error) {
    throw lostConnection(error, [watch]) ?? error;
  } finally {
    await client.end().catch(() => {});
  }
}
