import pg from 'pg';
import { targetIdentity } from './target-identity';

async function identityOf(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, application_name: 'expand-contract', connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await targetIdentity(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Whether two connection strings reach one database, asked of the servers rather than read from
 * the strings: a Supabase project is reached through its pooler and directly, under two host names,
 * with two user names.
 */
export async function sameDatabase(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [ia, ib] = await Promise.all([identityOf(a), identityOf(b)]);
  return ia === ib;
}
