import { createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../lib/db/embedded-server';
import { ephemeralPort } from '../../lib/db/free-port';
import { provisionLogins, STATE_LOGIN, TARGET_LOGIN, type Logins } from '../../lib/db/provision-logins';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection string to the server the integration tests run against. */
    adminUrl: string;
    /** The plain logins the product under test connects as, shaped as the embedded default's. */
    logins: Logins;
  }
}

/**
 * The same non-superuser logins the embedded default creates. Their passwords derive from the
 * superuser's, so two runs against one TEST_DATABASE_URL agree on them instead of resetting
 * each other's.
 */
async function createLogins(adminUrl: string): Promise<Logins> {
  const secret = decodeURIComponent(new URL(adminUrl).password) || 'no-password';
  const password = (name: string) => createHmac('sha256', secret).update(`expand-contract-test-login:${name}`).digest('base64url');
  const logins = { state: { name: STATE_LOGIN, password: password(STATE_LOGIN) }, target: { name: TARGET_LOGIN, password: password(TARGET_LOGIN) } };
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await provisionLogins(admin, logins);
  } finally {
    await admin.end();
  }
  return logins;
}

/**
 * One real PostgreSQL for the whole integration run: TEST_DATABASE_URL when set (this is
 * how the suite runs on PostgreSQL 15), otherwise a fresh embedded server in a temp folder.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('adminUrl', external);
    project.provide('logins', await createLogins(external));
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
  });
  project.provide('adminUrl', server.url('postgres'));
  project.provide('logins', await createLogins(server.url('postgres')));
  return async () => {
    await server.stop();
  };
}
