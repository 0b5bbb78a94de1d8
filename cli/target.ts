import pg from 'pg';
import type { Env } from '../lib/config/env';
import { bootstrap, DEMO_DATABASE } from '../lib/db/bootstrap';
import { checkConnection } from '../lib/db/check-connection';
import { resolveDataRoot } from '../lib/db/data-dir';
import { runningEmbeddedUrl } from '../lib/db/embedded-server';

/**
 * Runs `fn` with a connection to the target database: TARGET_DATABASE_URL when set, else
 * the embedded demo, reusing a running dashboard's server or starting one for the call.
 */
export async function withTarget<T>(env: Env, projectDir: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  let url = env.TARGET_DATABASE_URL;
  let stop = async () => {};
  if (url) {
    await checkConnection('TARGET_DATABASE_URL', url);
  } else {
    url = (await runningEmbeddedUrl(resolveDataRoot(projectDir, env.EC_DATA_DIR), DEMO_DATABASE)) ?? undefined;
    if (!url) {
      const boot = await bootstrap({ ...env, DATABASE_URL: undefined }, { projectDir });
      url = boot.targetUrl;
      stop = boot.stop;
    }
  }
  const client = new pg.Client({ connectionString: url, application_name: 'expand-contract' });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
    await stop();
  }
}
