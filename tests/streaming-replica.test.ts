import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlState } from '../lib/db/sql-state';
import { binDirForServer, startStreamingPair, type StreamingPair } from './helpers/streaming-replica';
import { adminUrl } from './helpers/test-database';

async function one<T>(url: string, sql: string): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows[0] as T;
  } finally {
    await c.end();
  }
}

const major = async (url: string) => Math.floor(Number((await one<{ v: string }>(url, "SELECT current_setting('server_version_num') AS v")).v) / 10000);

describe('a streaming pair of the suite server version', () => {
  let pair: StreamingPair;
  let startedInMs: number;

  beforeAll(async () => {
    const started = performance.now();
    pair = await startStreamingPair({ binDir: await binDirForServer(adminUrl()) });
    startedInMs = performance.now() - started;
    await one(pair.primaryUrl(), 'CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('runs the same major version as the suite, and starts within seconds', async () => {
    const suite = await major(adminUrl());
    expect(pair.major).toBe(suite);
    expect(await major(pair.primaryUrl())).toBe(suite);
    expect(await major(pair.replicaUrl())).toBe(suite);
    expect(startedInMs).toBeLessThan(15_000);
  });

  it('streams: the primary sees the replica, which is in recovery, and a row written on the primary appears on it', async () => {
    expect(await one(pair.replicaUrl(), 'SELECT pg_is_in_recovery() AS r')).toEqual({ r: true });
    expect(await one(pair.primaryUrl(), "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'")).toEqual({ n: 1 });
    await one(pair.primaryUrl(), "INSERT INTO notes VALUES (1, 'written on the primary')");
    await pair.waitForReplay();
    expect(await one(pair.replicaUrl(), 'SELECT body FROM notes WHERE id = 1')).toEqual({ body: 'written on the primary' });
  });

  it('refuses writes on the replica', async () => {
    const error = await one(pair.replicaUrl(), "INSERT INTO notes VALUES (2, 'on the replica')").catch((e: unknown) => e);
    expect(sqlState(error)).toBe('25006'); // read_only_sql_transaction
  });

  it('logs in with a password, and refuses a wrong one', async () => {
    const wrong = new URL(pair.primaryUrl());
    expect(wrong.password).not.toBe('');
    wrong.password = 'not-the-password';
    const error = await one(wrong.toString(), 'SELECT 1').catch((e: unknown) => e);
    expect(sqlState(error)).toBe('28P01'); // invalid_password
  });

  it('has pg_stat_statements on both servers, tracking every statement', async () => {
    await one(pair.primaryUrl(), 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pair.waitForReplay();
    for (const url of [pair.primaryUrl(), pair.replicaUrl()]) {
      expect(await one(url, "SELECT current_setting('pg_stat_statements.track') AS track")).toEqual({ track: 'all' });
      expect(await one(url, 'SELECT count(*) >= 0 AS ok FROM pg_stat_statements')).toEqual({ ok: true });
    }
  });

  it('pauses replay: a row written meanwhile appears only once replay resumes', async () => {
    await pair.pauseReplay();
    try {
      await one(pair.primaryUrl(), "INSERT INTO notes VALUES (3, 'while paused')");
      await new Promise((r) => setTimeout(r, 300));
      expect(await one(pair.replicaUrl(), 'SELECT count(*)::int AS n FROM notes WHERE id = 3')).toEqual({ n: 0 });
    } finally {
      await pair.resumeReplay();
    }
    await pair.waitForReplay();
    expect(await one(pair.replicaUrl(), 'SELECT count(*)::int AS n FROM notes WHERE id = 3')).toEqual({ n: 1 });
  });

  it('stops and starts the replica, which catches up on what it missed', async () => {
    await pair.stopReplica();
    expect(await one(pair.primaryUrl(), 'SELECT count(*)::int AS n FROM pg_stat_replication')).toEqual({ n: 0 });
    await one(pair.primaryUrl(), "INSERT INTO notes VALUES (4, 'while stopped')");
    await pair.startReplica();
    await pair.waitForReplay();
    expect(await one(pair.replicaUrl(), 'SELECT count(*)::int AS n FROM notes WHERE id = 4')).toEqual({ n: 1 });
  });
});
