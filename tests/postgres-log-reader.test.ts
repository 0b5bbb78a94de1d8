import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer, type EmbeddedServer } from '../lib/db/embedded-server';
import { ephemeralPort } from '../lib/db/free-port';
import { errorEvidence } from '../lib/signals/error-evidence';
import { readPostgresLog } from '../lib/signals/read-postgres-log';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

// A local target of its own: the reader tails the log of the embedded server the product starts.
let server: EmbeddedServer;
let w: ExecutorWorld;
const LABEL = 'local/app';

beforeAll(async () => {
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'expand-contract-log-'));
  server = await startEmbeddedServer({ dataRoot, preferredPort: await ephemeralPort(), persistent: false });
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE app');
  await admin.query('CREATE DATABASE other');
  await admin.end();
  w = await executorWorld('log_reader');
});
afterAll(async () => {
  await w?.close();
  await server?.stop();
});

/** Runs statements that fail, as an application named `app` would. */
async function failing(database: string, application: string, sql: string, times: number) {
  const c = new pg.Client({ connectionString: server.url(database), application_name: application });
  await c.connect();
  for (let i = 0; i < times; i += 1) await c.query(sql).catch(() => {});
  await c.end();
}

/** The logging collector writes asynchronously: read until the expected count arrived (or give up after 10 s). */
async function readUntil(total: number): Promise<number> {
  let seen = 0;
  for (let i = 0; i < 100 && seen < total; i += 1) {
    seen += (await readPostgresLog(w.pool, { logDir: server.logDir, target: LABEL, database: 'app' })).errors;
    if (seen < total) await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

const stored = async () =>
  (
    await w.pool.query<{ sqlstate: string; errors: number }>(
      "SELECT sqlstate, sum(errors)::int AS errors FROM expand_contract.metric_minutes WHERE source = 'postgres' AND service = $1 GROUP BY sqlstate ORDER BY sqlstate",
      [LABEL],
    )
  ).rows;

describe('the Postgres-log reader', () => {
  it('counts the target database errors by SQLSTATE from the server jsonlog, once each', async () => {
    const setup = new pg.Client({ connectionString: server.url('app') });
    await setup.connect();
    await setup.query("CREATE TABLE leads (id int PRIMARY KEY, contact_email text); INSERT INTO leads VALUES (1, 'a@x.io')");
    await setup.end();

    // Old code after a naive rename: undefined_column, the 2am incident's signature.
    await failing('app', 'web', 'SELECT user_email FROM leads', 12);
    await failing('app', 'web', "INSERT INTO leads VALUES (1, 'dup')", 3);
    // Not the target's errors: another database, and the product's own sessions (lock-timeout retries).
    await failing('other', 'web', 'SELECT nope FROM nowhere', 5);
    await failing('app', 'expand-contract-worker', 'SELECT user_email FROM leads', 4);

    expect(await readUntil(15)).toBe(15);
    expect(await stored()).toEqual([
      { sqlstate: '23505', errors: 3 },
      { sqlstate: '42703', errors: 12 },
    ]);
    // Reading again finds nothing new: the offset was stored with the counts.
    expect((await readPostgresLog(w.pool, { logDir: server.logDir, target: LABEL, database: 'app' })).errors).toBe(0);

    await failing('app', 'web', 'SELECT user_email FROM leads', 2);
    expect(await readUntil(2)).toBe(2);
    expect(await stored()).toContainEqual({ sqlstate: '42703', errors: 14 });
  });

  it('feeds the gate: the errors show as a regression of the target Postgres series after a phase', async () => {
    const { phases } = await errorEvidence(w.pool, LABEL, [{ phase: 'deploy', at: new Date(Date.now() - 60_000) }], new Date());
    const postgres = phases[0]!.series.find((s) => s.source === 'postgres')!;
    expect(postgres.service).toBe(LABEL);
    expect(postgres.regression).toBe(true);
    expect(postgres.after.bySqlstate['42703']).toBe(14);
    expect(postgres.detail).toContain('42703 ×14');
    // Another target's evidence never mixes in.
    expect((await errorEvidence(w.pool, 'elsewhere/db', [{ phase: 'deploy', at: new Date(Date.now() - 60_000) }], new Date())).phases[0]!.series).toEqual([]);
  });
});
