import path from 'node:path';
import pg from 'pg';
import type { Env } from '../lib/config/env';
import { bootstrap, DEMO_DATABASE, STATE_DATABASE } from '../lib/boot/bootstrap';
import { checkConnection } from '../lib/db/check-connection';
import { connectTarget } from '../lib/db/connect-target';
import { resolveDataRoot } from '../lib/db/data-dir';
import { runningEmbeddedUrl } from '../lib/db/embedded-server';
import { lostConnection, watchConnection } from '../lib/db/watch-connection';

export interface Databases {
  stateUrl: string;
  targetUrl: string;
  /** The embedded target's log directory, for the Postgres-log reader; absent for a configured target. */
  targetLogDir?: string;
}

/**
 * Where the state and target databases are for a one-shot command: the configured URLs,
 * else the embedded server of a running dashboard, else one started for this command
 * (and stopped after it).
 */
export async function resolveDatabases(
  env: Env,
  projectDir: string,
  need: { state: boolean; target?: boolean },
): Promise<Databases & { stop: () => Promise<void> }> {
  // Accounts and tokens live in the state database alone: a target that is down must not block them.
  if (need.target === false && env.DATABASE_URL) {
    await checkConnection('DATABASE_URL', env.DATABASE_URL);
    return { stateUrl: env.DATABASE_URL, targetUrl: env.TARGET_DATABASE_URL ?? '', stop: async () => {} };
  }
  if (env.TARGET_DATABASE_URL) await checkConnection('TARGET_DATABASE_URL', env.TARGET_DATABASE_URL);
  if (need.state && env.DATABASE_URL) await checkConnection('DATABASE_URL', env.DATABASE_URL);
  const stateConfigured = !need.state || !!env.DATABASE_URL;
  if (env.TARGET_DATABASE_URL && stateConfigured) {
    return { stateUrl: env.DATABASE_URL ?? '', targetUrl: env.TARGET_DATABASE_URL, stop: async () => {} };
  }
  const dataRoot = resolveDataRoot(projectDir, env.EC_DATA_DIR);
  const [runningState, runningTarget] = [
    await runningEmbeddedUrl(dataRoot, STATE_DATABASE, 'state'),
    await runningEmbeddedUrl(dataRoot, DEMO_DATABASE, 'target'),
  ];
  if (runningState && runningTarget) {
    return {
      stateUrl: env.DATABASE_URL ?? runningState,
      targetUrl: env.TARGET_DATABASE_URL ?? runningTarget,
      targetLogDir: env.TARGET_DATABASE_URL ? undefined : path.join(dataRoot, 'pg', 'log'),
      stop: async () => {},
    };
  }
  const boot = await bootstrap(env, { projectDir });
  return {
    stateUrl: boot.stateUrl,
    targetUrl: boot.targetUrl,
    targetLogDir: boot.targetSource === 'embedded-demo' ? boot.embedded?.logDir : undefined,
    stop: boot.stop,
  };
}

export async function withTarget<T>(env: Env, projectDir: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const dbs = await resolveDatabases(env, projectDir, { state: false });
  const client = new pg.Client({ connectionString: dbs.targetUrl, application_name: 'expand-contract' });
  const watch = watchConnection(client, 'target', dbs.targetUrl);
  try {
    await connectTarget(client);
    return await fn(client);
  } catch (error) {
    throw lostConnection(error, [watch]) ?? error;
  } finally {
    await client.end().catch(() => {});
    await dbs.stop();
  }
}

export async function withDatabases<T>(env: Env, projectDir: string, fn: (state: pg.Pool, target: pg.Client, dbs: Databases) => Promise<T>): Promise<T> {
  const dbs = await resolveDatabases(env, projectDir, { state: true, target: false });
  const state = new pg.Pool({ connectionString: dbs.stateUrl, max: 4, application_name: 'expand-contract' });
  const target = new pg.Client({ connectionString: dbs.targetUrl, application_name: 'expand-contract' });
  const watches = [watchConnection(target, 'target', dbs.targetUrl), watchConnection(state, 'state', dbs.stateUrl)];
  try {
    await connectTarget(target);
    return await fn(state, target, dbs);
  } catch (error) {
    throw lostConnection(error, watches) ?? error;
  } finally {
    await target.end().catch(() => {});
    await state.end().catch(() => {});
    await dbs.stop();
  }
}

/** The state database alone, for commands that manage people and tokens; stops what it started. */
export async function withStatePool<T>(env: Env, projectDir: string, fn: (state: pg.Pool) => Promise<T>): Promise<T> {
  const dbs = await resolveDatabases(env, projectDir, { state: true, target: false });
  const state = new pg.Pool({ connectionString: dbs.stateUrl, max: 2, application_name: 'expand-contract' });
  const watch = watchConnection(state, 'state', dbs.stateUrl);
  try {
    return await fn(state);
  } catch (error) {
    throw lostConnection(error, [watch]) ?? error;
  } finally {
    await state.end().catch(() => {});
    await dbs.stop();
  }
}
