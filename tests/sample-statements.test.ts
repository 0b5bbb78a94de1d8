import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer, type EmbeddedServer } from '../lib/db/embedded-server';
import { ephemeralPort } from '../lib/db/free-port';
import { provisionLogins } from '../lib/db/provision-logins';
import { quoteIdent } from '../lib/migrations/quote';
import { sampleStatements } from '../lib/signals/sample-statements';
import { markProduct } from '../lib/migrations/sql-text';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
// The target on a server of its own: pg_stat_statements_reset() below empties the whole server's
// statistics, which must not wipe the evidence other test files are gathering at the same time.
let server: EmbeddedServer;
// The sampler reads as the plain target login; the superuser only creates the extension and
// other roles, and resets the statistics.
let target: pg.Client;
let admin: pg.Client;
const label = 'sampled-target';
beforeAll(async () => {
  w = await executorWorld('sampler');
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'expand-contract-pgss-'));
  server = await startEmbeddedServer({ dataRoot, preferredPort: await ephemeralPort(), persistent: false });
  const setup = new pg.Client({ connectionString: server.url('postgres') });
  await setup.connect();
  await provisionLogins(setup, server.logins);
  await setup.query(`CREATE DATABASE app OWNER ${quoteIdent(server.logins.target.name)}`);
  await setup.end();
  admin = new pg.Client({ connectionString: server.url('app') });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  target = new pg.Client({ connectionString: server.loginUrl('target', 'app') });
  await target.connect();
  await target.query("CREATE TABLE leads (id int PRIMARY KEY, user_email text); INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 100) g");
});
afterAll(async () => {
  await target?.end();
  await admin?.end();
  await server?.stop();
  await w?.close();
});

async function callsOf(queryFragment: string) {
  const { rows } = await w.pool.query(
    `SELECT coalesce(sum(c.calls), 0)::int AS n FROM expand_contract.statement_calls c JOIN expand_contract.statements s USING (target, queryid)
      WHERE c.target = $1 AND s.query LIKE $2`,
    [label, `%${queryFragment}%`],
  );
  return rows[0]!.n as number;
}

describe('pg_stat_statements sampler', () => {
  it('records calls per interval from real traffic: baseline first, then exact deltas, excluding our own statements', async () => {
    await target.query('SELECT user_email FROM leads WHERE id = $1', [1]);
    expect((await sampleStatements(target, w.pool, label)).status).toBe('baseline');

    for (let i = 0; i < 7; i += 1) await target.query('SELECT user_email FROM leads WHERE id = $1', [i + 1]);
    for (let i = 0; i < 3; i += 1) await target.query(markProduct('SELECT count(*) FROM leads WHERE user_email IS NOT NULL AND id > $1'), [i]);
    const second = await sampleStatements(target, w.pool, label);
    expect(second.status).toBe('ok');
    expect(await callsOf('SELECT user_email FROM leads WHERE id = $1')).toBe(7);
    expect(await callsOf('user_email IS NOT NULL')).toBe(0); // the product's own statement is not evidence

    const text = await w.pool.query("SELECT count(*)::int AS n FROM expand_contract.statements WHERE target = $1 AND query LIKE '%FROM leads WHERE id = $1'", [
      label,
    ]);
    expect(text.rows[0]!.n).toBe(1); // stored once, whatever the number of calls
  });

  it('survives pg_stat_statements_reset(): no negative and no double counting', async () => {
    await admin.query('SELECT pg_stat_statements_reset()');
    for (let i = 0; i < 4; i += 1) await target.query('SELECT user_email FROM leads WHERE id = $1', [i + 1]);
    const afterReset = await sampleStatements(target, w.pool, label);
    expect(afterReset.reset).toBe(true);
    expect(await callsOf('SELECT user_email FROM leads WHERE id = $1')).toBe(7 + 4);
    const negatives = await w.pool.query('SELECT count(*)::int AS n FROM expand_contract.statement_calls WHERE calls <= 0');
    expect(negatives.rows[0]!.n).toBe(0);

    await sampleStatements(target, w.pool, label); // nothing new happened
    expect(await callsOf('SELECT user_email FROM leads WHERE id = $1')).toBe(11);
  });

  it('records a failed sample with the fix when the extension is missing, so coverage shows the gap', async () => {
    await admin.query('DROP EXTENSION pg_stat_statements');
    const failed = await sampleStatements(target, w.pool, label);
    expect(failed).toMatchObject({ status: 'error', error: expect.stringContaining('CREATE EXTENSION pg_stat_statements') });
    const runs = await w.pool.query('SELECT status FROM expand_contract.sampler_runs WHERE target = $1 ORDER BY id', [label]);
    expect(runs.rows.map((r) => r.status)).toEqual(['baseline', 'ok', 'ok', 'ok', 'error']);
    await admin.query('CREATE EXTENSION pg_stat_statements');
  });

  it('keeps one text and per-role calls when several roles run the same statement', async () => {
    await admin.query('DROP ROLE IF EXISTS ec_second_app; CREATE ROLE ec_second_app; GRANT SELECT ON leads TO ec_second_app');
    await sampleStatements(target, w.pool, label);
    await target.query('SELECT user_email FROM leads WHERE id = $1', [1]);
    // Another application's role: the sampler sees its statements through pg_read_all_stats.
    await admin.query('SET ROLE ec_second_app');
    await admin.query('SELECT user_email FROM leads WHERE id = $1', [2]);
    await admin.query('SELECT user_email FROM leads WHERE id = $1', [3]);
    await admin.query('RESET ROLE');
    expect((await sampleStatements(target, w.pool, label)).status).toBe('ok');
    const { rows } = await w.pool.query(
      `SELECT c.role, sum(c.calls)::int AS calls FROM expand_contract.statement_calls c JOIN expand_contract.statements s USING (target, queryid)
        WHERE c.target = $1 AND s.query = 'SELECT user_email FROM leads WHERE id = $1' AND c.sampled_at = (SELECT max(sampled_at) FROM expand_contract.statement_calls WHERE target = $1)
        GROUP BY c.role ORDER BY c.role`,
      [label],
    );
    expect(rows).toEqual([
      { role: 'ec_second_app', calls: 2 },
      { role: 'expand_contract_target', calls: 1 },
    ]);
    await admin.query('REVOKE ALL ON leads FROM ec_second_app; DROP ROLE ec_second_app');
  });
});
