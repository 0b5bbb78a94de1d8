import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { e2eDataRoot } from '../playwright.config';

/**
 * A superuser session on the embedded server the dashboard under test started (its password is in
 * the data folder): the world the test arranges, or checks, behind the product's back.
 */
export async function superuser(database: 'demo' | 'dashboard' = 'demo'): Promise<pg.Client> {
  const client = new pg.Client(superuserConfig(database));
  await client.connect();
  return client;
}

/** The same, as a pool: for the product's own code that takes one (its transactions check out a client). */
export const superuserPool = (database: 'demo' | 'dashboard' = 'dashboard') => new pg.Pool({ ...superuserConfig(database), max: 2 });

function superuserConfig(database: string): pg.ClientConfig {
  const port = Number(process.env.E2E_PORT ?? 3100);
  const { password } = JSON.parse(readFileSync(path.join(e2eDataRoot, 'secrets.json'), 'utf8')) as { password: string };
  return { host: '127.0.0.1', port: port + 20000, user: 'postgres', password, database };
}
