import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeStatStatements } from '../lib/db/probe-stat-statements';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase('pgss');
});
afterEach(() => db.drop());

describe('probeStatStatements', () => {
  it('says how to install the extension when the library is preloaded but the extension is missing', async () => {
    expect(await probeStatStatements(await db.client())).toEqual({ state: 'not-installed', fix: 'run: CREATE EXTENSION pg_stat_statements;' });
  });

  it('finds the extension in whichever schema holds it, as Supabase puts it in `extensions`', async () => {
    // Only a superuser may create the extension; the plain login (pg_read_all_stats) reads it.
    await db.query('CREATE SCHEMA extensions');
    await db.admin.query('CREATE EXTENSION pg_stat_statements SCHEMA extensions');
    expect(await probeStatStatements(await db.client())).toEqual({ state: 'ready', schema: 'extensions' });
  });

  it('reports a role that cannot reach the view, with the grant that fixes it', async () => {
    await db.admin.query(`
      CREATE SCHEMA extensions; CREATE EXTENSION pg_stat_statements SCHEMA extensions;
      REVOKE ALL ON SCHEMA extensions FROM PUBLIC;
      DROP ROLE IF EXISTS ec_probe_reader; CREATE ROLE ec_probe_reader;`);
    const client = await db.admin.client(); // creates, switches to and drops another role
    await client.query('SET ROLE ec_probe_reader');
    const status = await probeStatStatements(client);
    await client.query('RESET ROLE');
    await client.query('DROP OWNED BY ec_probe_reader; DROP ROLE ec_probe_reader');
    expect(status).toMatchObject({ state: 'no-permission', schema: 'extensions' });
  });

  it("refuses a role that would not see other roles' statements (their reads would be invisible)", async () => {
    await db.admin.query(`CREATE EXTENSION pg_stat_statements;
      DROP ROLE IF EXISTS ec_probe_limited; CREATE ROLE ec_probe_limited;`);
    const client = await db.admin.client(); // creates, switches to and drops another role
    await client.query('SET ROLE ec_probe_limited');
    const status = await probeStatStatements(client);
    await client.query('RESET ROLE');
    await client.query('GRANT pg_read_all_stats TO ec_probe_limited; SET ROLE ec_probe_limited');
    const granted = await probeStatStatements(client);
    await client.query('RESET ROLE');
    await client.query('DROP OWNED BY ec_probe_limited; DROP ROLE ec_probe_limited');
    expect(status).toMatchObject({ state: 'no-permission', fix: expect.stringContaining('GRANT pg_read_all_stats') });
    expect(granted).toEqual({ state: 'ready', schema: 'public' });
  });
});
