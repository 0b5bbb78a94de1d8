import pg from 'pg';
import path from 'node:path';
import { type Env, supabaseAuthConfig } from '../config/env';
import { quoteIdent } from '../migrations/quote';
import { checkConnection } from '../db/check-connection';
import { resolveDataRoot } from '../db/data-dir';
import { startEmbeddedServer, type EmbeddedServer } from '../db/embedded-server';
import { watchConnection } from '../db/watch-connection';
import { handOverOwnership, type HandOverReport } from '../db/hand-over-ownership';
import { provisionLogins } from '../db/provision-logins';
import { applyStateSchema, readStateSchema, type StateSchemaReport } from '../db/state-schema';
import { sameDatabase } from '../db/same-database';
import { redactSecrets } from '../db/connection-url';
import { seedDemoTarget, type DemoSeedReport } from '../demo/seed-demo-target';
import { seedDemoUsers, type DemoUser } from '../demo/seed-demo-users';
import { seedDemoHistory } from '../demo/seed-demo-history';
import { SQL_STATE, sqlState } from '../db/sql-state';

export const STATE_DATABASE = 'dashboard';
export const DEMO_DATABASE = 'demo';

export interface Bootstrapped {
  stateUrl: string;
  targetUrl: string;
  stateSource: 'embedded' | 'external';
  targetSource: 'embedded-demo' | 'external';
  embedded?: EmbeddedServer;
  dataRoot?: string;
  migrations: StateSchemaReport;
  demo?: DemoSeedReport;
  /** The embedded state's demo accounts (one per role), with their passwords. */
  demoUsers?: DemoUser[];
  stop(): Promise<void>;
}

export interface BootstrapOptions {
  projectDir: string;
  log?: (line: string) => void;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'expand-contract' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(adminUrl: string, name: string, owner: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)}`);
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if (sqlState(error) !== SQL_STATE.duplicateDatabase) throw error;
    }
  });
}

/**
 * One embedded database, ready for its plain login: created for it, with the extensions only
 * a superuser may create, and everything in it owned by it (a folder from an earlier version
 * has the superuser's objects, handed over here at every start until none are left).
 */
async function prepareEmbeddedDatabase(embedded: EmbeddedServer, name: string, owner: string, extensions: string[]): Promise<HandOverReport> {
  await ensureDatabase(embedded.url('postgres'), name, owner);
  return withClient(embedded.url(name), async (c) => {
    for (const extension of extensions) await c.query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(extension)}`);
    return handOverOwnership(c, owner);
  });
}

/**
 * Gets both databases ready: checks external ones (failing with the variable's name),
 * starts the embedded server for whichever side is not configured, applies the state
 * schema from supabase/migrations and seeds the demo target.
 */
export async function bootstrap(env: Env, options: BootstrapOptions): Promise<Bootstrapped> {
  const log = options.log ?? (() => {});
  if (env.DATABASE_URL) await checkConnection('DATABASE_URL', env.DATABASE_URL);
  if (env.TARGET_DATABASE_URL) await checkConnection('TARGET_DATABASE_URL', env.TARGET_DATABASE_URL);
  const files = await readStateSchema(path.join(options.projectDir, 'supabase', 'migrations'));

  let embedded: EmbeddedServer | undefined;
  let dataRoot: string | undefined;
  if (!env.DATABASE_URL || !env.TARGET_DATABASE_URL) {
    dataRoot = resolveDataRoot(options.projectDir, env.EC_DATA_DIR);
    embedded = await startEmbeddedServer({ dataRoot, preferredPort: env.EC_PG_PORT, log });
  }
  try {
    // The superuser sets up the logins and databases; the product itself never connects as it.
    if (embedded) await withClient(embedded.url('postgres'), (c) => provisionLogins(c, embedded!.logins));
    const stateUrl = env.DATABASE_URL ?? embedded!.loginUrl('state', STATE_DATABASE);
    const targetUrl = env.TARGET_DATABASE_URL ?? embedded!.loginUrl('target', DEMO_DATABASE);
    const handedOver: HandOverReport[] = [];
    if (!env.DATABASE_URL) handedOver.push(await prepareEmbeddedDatabase(embedded!, STATE_DATABASE, embedded!.logins.state.name, []));
    // pg_stat_statements is not a trusted extension: only a superuser creates it.
    if (!env.TARGET_DATABASE_URL)
      handedOver.push(await prepareEmbeddedDatabase(embedded!, DEMO_DATABASE, embedded!.logins.target.name, ['pg_stat_statements']));
    for (const report of handedOver.filter((r) => r.objects > 0)) {
      log(`${report.database}: ${report.objects} object(s) created by the superuser in an earlier version now belong to its login`);
    }

    // Both configured and one database: the app's `supabase db push` must not meet the state's versions.
    const shared =
      env.DATABASE_URL &&
      env.TARGET_DATABASE_URL &&
      (await sameDatabase(env.DATABASE_URL, env.TARGET_DATABASE_URL).catch((error: Error) => {
        log(
          `could not tell whether DATABASE_URL and TARGET_DATABASE_URL are one database (${redactSecrets(error.message.split('\n')[0]!)}); if they are, run \`expand-contract migrate --shared-with-app\` once`,
        );
        return false;
      }));
    const migrations = await withClient(stateUrl, (c) => applyStateSchema(c, files, shared ? { sharedWithApp: 'same-database' } : {}));
    const demo = env.TARGET_DATABASE_URL ? undefined : await withClient(targetUrl, (c) => seedDemoTarget(c, env.EC_DEMO_LEADS));
    let demoUsers: DemoUser[] | undefined;
    if (!env.DATABASE_URL) {
      const pool = new pg.Pool({ connectionString: stateUrl, max: 1 });
      watchConnection(pool, 'state', stateUrl, log);
      try {
        demoUsers = await seedDemoUsers(pool, dataRoot!, { signIn: supabaseAuthConfig(env) ? 'none' : 'local' });
        if (!env.TARGET_DATABASE_URL && env.EC_DEMO_MODE !== 'off') await withClient(targetUrl, (c) => seedDemoHistory(pool, c, targetUrl));
      } finally {
        await pool.end();
      }
    }
    return {
      stateUrl,
      targetUrl,
      stateSource: env.DATABASE_URL ? 'external' : 'embedded',
      targetSource: env.TARGET_DATABASE_URL ? 'external' : 'embedded-demo',
      embedded,
      dataRoot,
      migrations,
      demo,
      demoUsers,
      stop: async () => embedded?.stop(),
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
