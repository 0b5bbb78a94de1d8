import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GateClosedError, runPhase } from '../lib/executor/run-phase';
import { contractGate } from '../lib/signals/gate-evidence';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
beforeAll(async () => {
  w = await executorWorld('lossy');
  await w.target.query(`CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
    INSERT INTO orders SELECT g, (ARRAY['pending', 'processing', 'completed', 'cancelled'])[1 + g % 4] FROM generate_series(1, 2000) g; ANALYZE orders;`);
});
afterAll(() => w.close());

const deps = () => ({ store: w.store, target: w.target, signals: false });
const env = () => ({ DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url });
const statuses = async () => (await w.target.query('SELECT id, status FROM orders WHERE id IN (7, 5001) ORDER BY id')).rows;

// The forward mapping folds case, so 'PENDING' and 'pending' both become 1: new = forward(old) holds for both.
const CHANGE = {
  kind: 'change-type',
  schema: 'public',
  table: 'orders',
  column: 'status',
  newColumn: 'status_code',
  newType: 'integer',
  forward: "CASE lower({{old}}) WHEN 'pending' THEN 1 WHEN 'processing' THEN 2 WHEN 'completed' THEN 3 WHEN 'cancelled' THEN 4 END",
  reverse: "CASE {{new}} WHEN 1 THEN 'pending' WHEN 2 THEN 'processing' WHEN 3 THEN 'completed' WHEN 4 THEN 'cancelled' END",
} as const;

const LOSSY =
  "2 row(s) would not survive the contract: the new column cannot give back their old value (old → would become: 'Cancelled' → 'cancelled', 'PENDING' → 'pending'); correct those rows or the mappings, then run verify again";

describe('a lossy mapping after expand: old code writes values the round trip changes', () => {
  let id: number;

  it('parity finds no difference, the round trip finds both rows, and the gate refuses naming their values', async () => {
    id = await w.register(CHANGE);
    await runPhase(deps(), id, 'expand');
    await runPhase(deps(), id, 'backfill');
    // Old code, still deployed, writes values in its own spelling.
    await w.target.query("UPDATE orders SET status = 'PENDING' WHERE id = 7; INSERT INTO orders (id, status) VALUES (5001, 'Cancelled')");

    const verified = await runPhase(deps(), id, 'verify');
    expect(verified.parity).toMatchObject({
      mismatched: 0,
      rowsChecked: 2001,
      tableRows: 2001,
      lossy: {
        rows: 2,
        samples: [
          { old: 'Cancelled', becomes: 'cancelled' },
          { old: 'PENDING', becomes: 'pending' },
        ],
      },
    });
    const { decision } = await contractGate(deps(), await w.store.getMigration(id), new Date());
    expect(decision.allowed).toBe(false);
    expect(decision.reasons).toEqual([LOSSY]);
    expect(decision.conditions.find((c) => c.name === 'parity')).toMatchObject({ met: true, detail: '0 of 2,001 rows differ (table holds 2,001)' });
  });

  it('the contract refuses inside its run, and both values survive', async () => {
    const error = await runPhase(deps(), id, 'contract').catch((e) => e);
    expect(error).toBeInstanceOf(GateClosedError);
    expect(error.decision.reasons).toEqual([LOSSY]);
    expect((await w.store.getMigration(id)).status).toBe('backfilled');
    expect(await statuses()).toEqual([
      { id: '7', status: 'PENDING' },
      { id: '5001', status: 'Cancelled' },
    ]);
  });

  it('status and status --json show the count and the values', async () => {
    const json = runCli(['status', String(id), '--json'], env());
    expect(await json.exited).toBe(0);
    const status = JSON.parse(json.output());
    expect(status.parity).toMatchObject({
      mismatched: 0,
      rowsChecked: 2001,
      tableRows: 2001,
      lossy: {
        rows: 2,
        samples: [
          { old: 'Cancelled', becomes: 'cancelled' },
          { old: 'PENDING', becomes: 'pending' },
        ],
      },
    });
    expect(status.gate.conditions).toContainEqual({ name: 'round-trip', met: false, detail: LOSSY });

    const text = runCli(['status', String(id)], env());
    expect(await text.exited).toBe(0);
    expect(text.output()).toContain(
      "parity   0 of 2,001 rows differ (table holds 2,001); 2 would not survive the contract ('Cancelled' → 'cancelled', 'PENDING' → 'pending')",
    );
    expect(text.output()).toContain(LOSSY);
  });

  it('once the rows are corrected, verify finds every value reads back and the contract runs', async () => {
    await w.target.query('UPDATE orders SET status = lower(status) WHERE status <> lower(status)');
    const verified = await runPhase(deps(), id, 'verify');
    expect(verified.parity!.lossy).toEqual({ rows: 0, samples: [] });
    expect((await runPhase(deps(), id, 'contract')).status).toBe('succeeded');
    expect((await w.target.query('SELECT status_code FROM orders WHERE id IN (7, 5001) ORDER BY id')).rows).toEqual([{ status_code: 1 }, { status_code: 4 }]);
  });
});

describe('a reverse mapping that gives a value for NULL (CASE … ELSE)', () => {
  it('does not take an empty new column for a copy of the old value: the backfill fills every row, and none is lost', async () => {
    await w.target.query(`CREATE TABLE tickets (id bigint PRIMARY KEY, prio text);
      INSERT INTO tickets SELECT g, CASE WHEN g % 4 = 0 THEN 'hidden' WHEN g % 4 = 1 THEN NULL ELSE 'shown' END FROM generate_series(1, 400) g; ANALYZE tickets;`);
    // reverse(NULL) is 'shown': a row with prio 'shown' and no prio_n yet looked "in sync", was never copied, and the
    // contract would have dropped its only value.
    const id = await w.register({
      kind: 'change-type',
      schema: 'public',
      table: 'tickets',
      column: 'prio',
      newColumn: 'prio_n',
      newType: 'integer',
      forward: "CASE {{old}} WHEN 'hidden' THEN 0 ELSE 1 END",
      reverse: "CASE {{new}} WHEN 0 THEN 'hidden' ELSE 'shown' END",
    });
    await runPhase(deps(), id, 'expand');
    await runPhase(deps(), id, 'backfill');
    const { rows } = await w.target.query('SELECT prio, prio_n, count(*)::int AS n FROM tickets GROUP BY 1, 2 ORDER BY 1, 2');
    expect(rows).toEqual([
      { prio: 'hidden', prio_n: 0, n: 100 },
      { prio: 'shown', prio_n: 1, n: 200 },
      // forward(NULL) is 1 here (ELSE): NULL is a value the mapping converts, and it reads back as 'shown'.
      { prio: null, prio_n: 1, n: 100 },
    ]);
    // Old code writing the old column of a row keeps the new one in step.
    await w.target.query("UPDATE tickets SET prio = 'shown' WHERE id = 4");
    expect((await w.target.query('SELECT prio_n FROM tickets WHERE id = 4')).rows[0].prio_n).toBe(1);
  });
});
