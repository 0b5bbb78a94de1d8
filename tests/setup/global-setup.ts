import { createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import pg from 'pg';
// @ts-expect-error: a plain JavaScript build script, without types.
import { buildCli } from '../../scripts/build-cli.mjs';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../lib/db/embedded-server';
import { ephemeralPort } from '../../lib/db/free-port';
import { provisionLogins, STATE_LOGIN, TARGET_LOGIN, type Logins } from '../../lib/db/provision-logins';
import { provisionSupabaseRoles, SUPABASE_ADMIN, SUPABASE_POSTGRES, type SupabaseShape } from './provision-supabase-roles';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection string to the server the integration tests run against. */
    adminUrl: string;
    /** The plain logins the product under test connects as, shaped as the embedded default's. */
    logins: Logins;
    /** Supabase's roles on the same server, with its non-superuser `postgres` login, or why the server cannot have them. */
    supabase: SupabaseShape;
    /** The server's jsonlog directory, where this machine can read it (TEST_LOG_DIR with TEST_DATABASE_URL); '' when not. */
    logDir: string;
  }
}

/** Passwords derive from the superuser's, so two runs against one TEST_DATABASE_URL agree on them instead of resetting each other's. */
function derivedPassword(adminUrl: string, name: string): string {
  const secret = decodeURIComponent(new URL(adminUrl).password) || 'no-password';
  return createHmac('sha256', secret).update(`expand-contract-test-login:${name}`).digest('base64url');
}

async function asAdmin<T>(adminUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** The same non-superuser logins the embedded default creates. */
async function createLogins(adminUrl: string): Promise<Logins> {
  const password = (name: string) => derivedPassword(adminUrl, name);
  const logins = { state: { name: STATE_LOGIN, password: password(STATE_LOGIN) }, target: { name: TARGET_LOGIN, password: password(TARGET_LOGIN) } };
  await asAdmin(adminUrl, (admin) => provisionLogins(admin, logins));
  return logins;
}

/** The logins first: Supabase's `postgres` is given the planner's probe role, which their provisioning creates. */
async function provide(project: TestProject, adminUrl: string): Promise<void> {
  project.provide('adminUrl', adminUrl);
  project.provide('logins', await createLogins(adminUrl));
  project.provide('supabase', await asAdmin(adminUrl, (admin) => provisionSupabaseRoles(admin, derivedPassword(adminUrl, SUPABASE_POSTGRES))));
}

/**
 * One real PostgreSQL for the whole integration run: TEST_DATABASE_URL when set (this is
 * how the suite runs on PostgreSQL 15), otherwise a fresh embedded server in a temp folder.
 * Its bootstrap superuser is `supabase_admin`, as on Supabase, which leaves the name `postgres`
 * free for Supabase's non-superuser role (tests/helpers/supabase-database.ts).
 */
export default async function setup(project: TestProject) {
  // The tests run the real built command: build it once here, so that the many commands they start in
  // parallel never each find it stale and rebuild it.
  await buildCli();
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('logDir', process.env.TEST_LOG_DIR ?? '');
    await provide(project, external);
    return;
  }
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'expand-contract-test-'));
  // Every test file shares this server, and pg_stat_statements is per server: with its default of 5,000 entries the
  // suite's many distinct statements evict entries, and an interval with evictions rightly counts as not covered.
  const server = await startEmbeddedServer({
    dataRoot,
    preferredPort: await ephemeralPort(),
    persistent: false,
    extraFlags: ['-c', 'pg_stat_statements.max=50000'],
    superuser: SUPABASE_ADMIN,
  });
  try {
    project.provide('logDir', server.logDir);
    await provide(project, server.url('postgres'));
  } catch (error) {
    await server.stop();
    throw error;
  }
  return async () => {
    await server.stop();
  };
}
