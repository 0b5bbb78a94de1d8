import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../lib/db/embedded-server';
import { ephemeralPort } from '../../lib/db/free-port';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection string to the server the integration tests run against. */
    adminUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole integration run: TEST_DATABASE_URL when set (this is
 * how the suite runs on PostgreSQL 15), otherwise a fresh embedded server in a temp folder.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('adminUrl', external);
    return;
  }
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'expand-contract-test-'));
  const server = await startEmbeddedServer({ dataRoot, preferredPort: await ephemeralPort(), persistent: false });
  project.provide('adminUrl', server.url('postgres'));
  return async () => {
    await server.stop();
  };
}
