import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfillJob } from '../lib/executor/backfill-job';
import { runPhase } from '../lib/executor/run-phase';
import type { BackfillSpec } from '../lib/migrations/types';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

// A batch's cursor is saved while the next batch runs. These tests hold the job to what that may not
// change: the saved cursor is exactly where the committed work ends when it stops, and a save that fails stops it.
let w: ExecutorWorld;
const ROWS = 40_000;

async function expandedTable(table: string): Promise<number> {
  await w.target.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO ${table} SELECT g, 'lead' || g || '@x.io' FROM generate_series(1, ${ROWS}) g; ANALYZE ${table};`);
  const id = await w.register({ kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' }, { batchSize: 500 });
  await runPhase({ store: w.store, target: w.target, signals: false }, id, 'expand');
  return id;
}

/** Rows whose new column holds the old one's value: what the backfill (not the trigger) has copied, with no writer about. */
async function copied(table: string): Promise<{ n: number; max: number | null }> {
  const { rows } = await w.target.query(`SELECT count(*)::int AS n, max(id)::int AS max FROM ${table} WHERE contact_email IS NOT DISTINCT FROM user_email`);
  return rows[0] as { n: number; max: number | null };
}

beforeAll(async () => {
  w = await executorWorld('saved_cursor');
});
afterAll(() => w.close());

describe('the backfill saves each cursor while the next batch runs', () => {
  it('paused from another session mid-run, its saved cursor and counts are exactly the rows committed, and it resumes to the end', async () => {
    const id = await expandedTable('leads_pause');
    const spec = (await w.store.getMigration(id)).plan.backfill!;
    // Small batches (50 ms each at most, 500 rows at most), so the pause lands mid-run.
    const running = runBackfillJob(w.store, w.target, id, spec, 500, { targetBatchMs: 50, maxBatch: 500 });
    for (;;) {
      const b = await w.store.getBackfill(id);
      if ((b?.batches ?? 0) >= 5) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await w.store.requestBackfill(id, 'pause')).toBe(true);
    expect(await running).toBe('paused');

    const paused = (await w.store.getBackfill(id))!;
    expect(paused.status).toBe('paused');
    const cursor = Number(paused.cursor![0]);
    expect(cursor).toBeLessThan(ROWS);
    // Keys 1..n walked in order: every committed batch is counted, and nothing beyond the cursor was written.
    expect(paused.rowsScanned).toBe(cursor);
    expect(paused.rowsChanged).toBe(cursor);
    expect(await copied('leads_pause')).toEqual({ n: cursor, max: cursor });

    expect(await runBackfillJob(w.store, w.target, id, spec, 500, { targetBatchMs: 50 })).toBe('done');
    const done = (await w.store.getBackfill(id))!;
    expect(done).toMatchObject({ status: 'done', rowsScanned: ROWS, rowsChanged: ROWS, tableRows: ROWS });
    expect(await copied('leads_pause')).toEqual({ n: ROWS, max: ROWS });
  });

  it('a save the state database refuses fails the backfill with that error, and the next run resumes from the last saved cursor', async () => {
    const id = await expandedTable('leads_save_fails');
    const spec = (await w.store.getMigration(id)).plan.backfill!;
    // The state database refuses the fourth save, as a full disk or a lost connection would.
    await w.pool.query(`CREATE FUNCTION expand_contract.test_refuse_fourth_save() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.migration_id = ${id} AND NEW.batches = 4 THEN RAISE EXCEPTION 'state database refused the save'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse_fourth_save BEFORE UPDATE ON expand_contract.backfills FOR EACH ROW EXECUTE FUNCTION expand_contract.test_refuse_fourth_save();`);
    let beyondCursor = 0;
    try {
      await expect(runBackfillJob(w.store, w.target, id, spec, 500, { targetBatchMs: 50, maxBatch: 500 })).rejects.toThrow('state database refused the save');
      const failed = (await w.store.getBackfill(id))!;
      expect(failed).toMatchObject({ status: 'failed', error: 'state database refused the save', batches: 3 });
      const cursor = Number(failed.cursor![0]);
      expect(failed.rowsScanned).toBe(cursor);
      // The refused batch, and at most the one after it, were committed past the saved cursor.
      const { max } = await copied('leads_save_fails');
      expect(max!).toBeGreaterThan(cursor);
      beyondCursor = max! - cursor;
      expect(beyondCursor).toBeLessThanOrEqual(2 * 500);
    } finally {
      await w.pool.query('DROP TRIGGER test_refuse_fourth_save ON expand_contract.backfills; DROP FUNCTION expand_contract.test_refuse_fourth_save()');
    }
    // Resumed from the saved cursor: the batches committed beyond it are redone, changing nothing twice.
    expect(await runBackfillJob(w.store, w.target, id, spec, 500, { targetBatchMs: 50 })).toBe('done');
    const done = (await w.store.getBackfill(id))!;
    expect(done).toMatchObject({ status: 'done', tableRows: ROWS });
    // The redone rows were already copied, so they are not counted as changed again.
    expect(done.rowsScanned).toBe(ROWS);
    expect(done.rowsChanged).toBe(ROWS - beyondCursor);
    expect(await copied('leads_save_fails')).toEqual({ n: ROWS, max: ROWS });
  });

  it.each([
    { rows: 0, batch: 100 },
    { rows: 100, batch: 100 },
    { rows: 101, batch: 100 },
    { rows: 1, batch: 1 },
  ])('batch edges: $rows rows in batches of $batch are all copied, each counted once', async ({ rows, batch }) => {
    const table = `leads_edges_${rows}_${batch}`;
    await w.target.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, user_email text NOT NULL);
      INSERT INTO ${table} SELECT g, 'lead' || g || '@x.io' FROM generate_series(1, ${rows}) g; ANALYZE ${table};`);
    const id = await w.register({ kind: 'rename-column', schema: 'public', table, column: 'user_email', newName: 'contact_email' }, { batchSize: batch });
    await runPhase({ store: w.store, target: w.target, signals: false }, id, 'expand');
    const spec = (await w.store.getMigration(id)).plan.backfill!;
    expect(await runBackfillJob(w.store, w.target, id, spec, batch, { minBatch: batch, maxBatch: batch })).toBe('done');
    const done = (await w.store.getBackfill(id))!;
    expect(done).toMatchObject({ status: 'done', rowsScanned: rows, rowsChanged: rows, tableRows: rows, batches: Math.ceil(rows / batch) });
    expect((await w.target.query(`SELECT count(*)::int AS n FROM ${table} WHERE contact_email = user_email`)).rows[0].n).toBe(rows);
  });

  it('a plan stored before batches were two statements (one statement, batchSql) still runs to the end', async () => {
    const id = await expandedTable('leads_legacy');
    const { edgeSql, firstEdgeSql, updateSql, firstUpdateSql, ...rest } = (await w.store.getMigration(id)).plan.backfill!;
    expect([edgeSql, firstEdgeSql, updateSql, firstUpdateSql].every(Boolean)).toBe(true);
    // The batch as plans made it until then, word for word.
    const batch = (after: boolean, lim: string) => `WITH batch AS (
  SELECT "id" FROM "public"."leads_legacy"
  ${after ? 'WHERE ("id") > ($1::bigint)\n  ' : ''}ORDER BY "id"
  LIMIT ${lim}
), last AS (
  SELECT "id" FROM batch ORDER BY "id" DESC LIMIT 1
), changed AS (
  UPDATE "public"."leads_legacy" AS t SET "contact_email" = (t."user_email")
  WHERE ${after ? '(t."id") > ($1::bigint) AND ' : ''}(t."id") <= (SELECT "id" FROM last) AND (t."contact_email" IS DISTINCT FROM (t."user_email"))
  RETURNING 1
)
SELECT (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM changed)::int AS changed,
       (SELECT ARRAY["id"::text] FROM last) AS last_key`;
    const legacy = { ...rest, firstBatchSql: batch(false, '$1'), batchSql: batch(true, '$2') } as unknown as BackfillSpec;
    expect(await runBackfillJob(w.store, w.target, id, legacy, 5000, { minBatch: 5000, maxBatch: 5000 })).toBe('done');
    expect((await w.store.getBackfill(id))!).toMatchObject({ status: 'done', rowsScanned: ROWS, rowsChanged: ROWS, tableRows: ROWS, batches: ROWS / 5000 });
    expect(await copied('leads_legacy')).toEqual({ n: ROWS, max: ROWS });
  });
});
