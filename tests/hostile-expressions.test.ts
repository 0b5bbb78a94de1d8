import { existsSync, rmSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanValidationError } from '../lib/migrations/errors';
import type { OperationSpec } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

/**
 * Every field that takes SQL, fed functions with effects outside the transaction. Planning (the
 * preview and the creation of a migration) must refuse them or run them where they cannot act,
 * and nothing may have happened afterwards: the sequence where it was, the other session alive,
 * no file written, the settings as they were, the rows all there, and an answer within seconds.
 */
let db: TestDatabase;
let planner: pg.Client;
let victim: pg.Client;
let victimPid: number;
const file = `/tmp/expand-contract-hostile-${process.pid}.txt`;

beforeAll(async () => {
  db = await createTestDatabase('hostile_expr');
  await db.query(`CREATE TABLE accounts (id int PRIMARY KEY, email text, status text NOT NULL, n int);
    INSERT INTO accounts SELECT g, 'u' || g || '@x', 'pending', g FROM generate_series(1, 50) g;
    CREATE SEQUENCE victim_seq; SELECT setval('victim_seq', 42);
    CREATE TABLE audit (n int);`);
  // Functions an attacker might hide effects in: marked stable or immutable (so pg_proc calls them harmless),
  // or SECURITY DEFINER. The immutable ones are folded while the probe is planned, so they really run there.
  await db.query(`
    CREATE FUNCTION stable_kill(pid int) RETURNS boolean STABLE LANGUAGE plpgsql AS $$ BEGIN RETURN pg_terminate_backend(pid); END $$;
    CREATE FUNCTION immutable_kill(pid int) RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RETURN pg_terminate_backend(pid); END $$;
    CREATE FUNCTION immutable_setval() RETURNS bigint IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RETURN setval('victim_seq', 999999999); END $$;
    CREATE FUNCTION immutable_write() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (1); RETURN 1; END $$;
    CREATE FUNCTION definer_kill(pid int) RETURNS boolean STABLE SECURITY DEFINER LANGUAGE plpgsql AS $$ BEGIN RETURN pg_terminate_backend(pid); END $$;`);
  planner = await db.client();
  victim = await db.client();
  victimPid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
});
afterAll(async () => {
  rmSync(file, { force: true });
  await db.drop();
});

const payloads = (pid: number): [string, string][] => [
  ['setval', "setval('victim_seq', 999999999)"],
  ['nextval', "nextval('victim_seq')"],
  ['pg_terminate_backend', `pg_terminate_backend(${pid})`],
  ['pg_cancel_backend', `pg_cancel_backend(${pid})`],
  ['pg_reload_conf', 'pg_reload_conf()'],
  ['lo_export', `lo_export(0, '${file}')`],
  ['pg_read_file', "pg_read_file('/etc/hostname')"],
  ['pg_sleep', 'pg_sleep(10)'],
  ['set_config', "set_config('statement_timeout', '0', false)"],
  ['data-modifying CTE', '(WITH gone AS (DELETE FROM accounts RETURNING 1) SELECT count(*) FROM gone)'],
  ['subquery', '(SELECT max(id) FROM accounts)'],
  ['immutable wrapper (runs while planned)', `immutable_kill(${pid})`],
  ['immutable setval wrapper', 'immutable_setval()'],
  ['immutable writing wrapper', 'immutable_write()'],
  ['security definer', `definer_kill(${pid})`],
];

// Each field that takes an expression, with the payload placed where a value goes.
const fields = (p: string): [string, OperationSpec][] => [
  [
    'change-type forward',
    {
      kind: 'change-type',
      schema: 'public',
      table: 'accounts',
      column: 'n',
      newColumn: 'n_big',
      newType: 'bigint',
      forward: `CASE WHEN (${p}) IS NOT NULL THEN {{old}} END`,
      reverse: '{{new}}::int',
    },
  ],
  [
    'change-type reverse',
    {
      kind: 'change-type',
      schema: 'public',
      table: 'accounts',
      column: 'n',
      newColumn: 'n_big',
      newType: 'bigint',
      forward: '{{old}}::bigint',
      reverse: `CASE WHEN (${p}) IS NOT NULL THEN {{new}}::int END`,
    },
  ],
  ['set-not-null fill', { kind: 'set-not-null', schema: 'public', table: 'accounts', column: 'email', fill: `CASE WHEN (${p}) IS NOT NULL THEN 'x' END` }],
  [
    'add-column default',
    {
      kind: 'add-column',
      schema: 'public',
      table: 'accounts',
      column: 'extra',
      type: 'text',
      notNull: false,
      default: `CASE WHEN (${p}) IS NOT NULL THEN 'x' END`,
    },
  ],
  [
    'add-column backfill',
    {
      kind: 'add-column',
      schema: 'public',
      table: 'accounts',
      column: 'extra',
      type: 'text',
      notNull: false,
      backfill: `CASE WHEN (${p}) IS NOT NULL THEN 'x' END`,
    },
  ],
];

// The type fields: whatever follows the type name must not run either.
const typeAttacks = (pid: number): [string, OperationSpec][] => [
  [
    'add-column type with a call',
    { kind: 'add-column', schema: 'public', table: 'accounts', column: 'extra', type: `int + pg_terminate_backend(${pid})::int`, notNull: false },
  ],
  [
    'add-column type closing the statement',
    { kind: 'add-column', schema: 'public', table: 'accounts', column: 'extra', type: `int; SELECT pg_terminate_backend(${pid}); --`, notNull: false },
  ],
  [
    'change-type type with a modifier call',
    {
      kind: 'change-type',
      schema: 'public',
      table: 'accounts',
      column: 'n',
      newColumn: 'n2',
      newType: `varchar(pg_terminate_backend(${pid})::int)`,
      forward: '{{old}}::text',
      reverse: '{{new}}::int',
    },
  ],
  [
    'add-column type after a WHERE',
    { kind: 'add-column', schema: 'public', table: 'accounts', column: 'extra', type: `int WHERE pg_terminate_backend(${pid})`, notNull: false },
  ],
];

async function nothingHappened() {
  const { rows } = await db.query<{ last: string; rows: number; audit: number; timeout: string }>(
    "SELECT (SELECT last_value FROM victim_seq)::text AS last, (SELECT count(*)::int FROM accounts) AS rows, (SELECT count(*)::int FROM audit) AS audit, current_setting('statement_timeout') AS timeout",
  );
  expect(rows[0]).toEqual({ last: '42', rows: 50, audit: 0, timeout: '0' });
  // The other session is alive and answers.
  expect((await victim.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  expect(existsSync(file)).toBe(false);
  // The planner's own session kept its settings (a rolled-back SET LOCAL ROLE included).
  const mine = (await planner.query<{ who: string; timeout: string }>("SELECT current_user AS who, current_setting('statement_timeout') AS timeout")).rows[0]!;
  expect(mine.who).not.toBe('expand_contract_probe');
}

describe('hostile SQL in every field that takes it', () => {
  const cases = payloads(0).flatMap(([name]) => fields('0').map(([field]) => [name, field] as const));
  it.each(cases)('%s through %s: refused, nothing happened, answered in time', async (name, field) => {
    const payload = payloads(victimPid).find(([n]) => n === name)![1];
    const spec = fields(payload).find(([f]) => f === field)![1];
    const started = Date.now();
    const error = await planChange(planner, spec).then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error, `${name} through ${field} was planned as if harmless`).toBeInstanceOf(PlanValidationError);
    await nothingHappened();
  });

  it.each(typeAttacks(0).map(([name]) => [name]))('%s: refused, nothing happened', async (name) => {
    const spec = typeAttacks(victimPid).find(([n]) => n === name)![1];
    const error = await planChange(planner, spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).message).toMatch(/type name|does not parse|not a single|comment/);
    await nothingHappened();
  });

  it('plans a function the target marks stable, without running it, and tells the reviewer to read it', async () => {
    for (const [, spec] of fields(`stable_kill(${victimPid})`)) {
      const plan = await planChange(planner, spec);
      expect(plan.notes.join('\n')).toMatch(/uses public\.stable_kill\(\), defined on the target rather than built in: read its definition/);
      await nothingHappened();
    }
  });

  it('names the function and why, and what is allowed instead', async () => {
    const error = (await planChange(planner, fields(`pg_terminate_backend(${victimPid})`)[0]![1]).catch((e: unknown) => e)) as PlanValidationError;
    expect(error.message).toContain('pg_terminate_backend()');
    expect(error.message).toContain('volatile');
    expect(error.message).toContain('gen_random_uuid');
  });

  it('refuses an immutable wrapper in the probe itself: the probe role may not signal anyone', async () => {
    const error = (await planChange(planner, fields(`immutable_kill(${victimPid})`)[3]![1]).catch((e: unknown) => e)) as PlanValidationError;
    expect(error.message).toMatch(/permission denied|must be a (superuser|member)/i);
  });
});

/**
 * Ways past the checks found by attacking them: placeholders that are checked as one thing and run
 * as another (inside a dollar-quote tag, a string, a quoted name), stable built-ins that read whole
 * tables, and casts whose functions the expression never names.
 */
describe('placeholders, table readers and casts that would have slipped through', () => {
  const breakout = () => `COMMIT; SELECT setval('victim_seq', 999999999); SELECT pg_terminate_backend(${victimPid}); INSERT INTO audit VALUES (1); --`;
  const attacks: [string, () => OperationSpec, RegExp][] = [
    [
      '{{row}} inside a dollar-quote tag (fill)',
      () => ({ kind: 'set-not-null', schema: 'public', table: 'accounts', column: 'email', fill: `$a{{row}}$ $at$); ${breakout()} $a{{row}}$` }),
      /must stand alone|comment/,
    ],
    [
      '{{row}} inside a dollar-quote tag (default, sleeping past the timeout)',
      () => ({
        kind: 'add-column',
        schema: 'public',
        table: 'accounts',
        column: 'extra',
        type: 'text',
        notNull: false,
        default: '$a{{row}}$ $at$); COMMIT; SELECT pg_sleep(8); --$a{{row}}$',
      }),
      /cannot be used here/,
    ],
    [
      '{{row}} inside a dollar-quote tag (backfill)',
      () => ({
        kind: 'add-column',
        schema: 'public',
        table: 'accounts',
        column: 'extra',
        type: 'text',
        notNull: true,
        backfill: `$a{{row}}$ $at$); ${breakout()} $a{{row}}$`,
      }),
      /must stand alone|comment/,
    ],
    [
      'a dollar quote that means something else in the trigger',
      () => ({
        kind: 'set-not-null',
        schema: 'public',
        table: 'accounts',
        column: 'email',
        fill: "$a{{row}}$ $aNEW$ || setval('public.victim_seq', 777)::text || $aNEW$ $a{{row}}$",
      }),
      /must stand alone/,
    ],
    [
      '{{new}} inside a string the forward text could close',
      () => ({
        kind: 'change-type',
        schema: 'public',
        table: 'accounts',
        column: 'n',
        newColumn: 'n_big',
        newType: 'bigint',
        forward: "{{old}}::bigint + 0 * length(' || setval($q$victim_seq$q$, 555)::text || ')",
        reverse: "CASE WHEN '{{new}}' = '' THEN NULL ELSE {{new}}::int END",
      }),
      /must stand alone|not inside a string/,
    ],
    [
      'a quoted new column name spliced into a string by {{new}}',
      () => ({
        kind: 'change-type',
        schema: 'public',
        table: 'accounts',
        column: 'n',
        newColumn: "x' || setval('public.victim_seq', 666)::text || '",
        newType: 'bigint',
        forward: '{{old}}::bigint',
        reverse: "CASE WHEN '{{new}}' = '' THEN NULL ELSE {{new}}::int END",
      }),
      /must stand alone|not inside a string/,
    ],
    [
      '{{old}} as a quoted identifier',
      () => ({
        kind: 'change-type',
        schema: 'public',
        table: 'accounts',
        column: 'n',
        newColumn: 'n_big',
        newType: 'bigint',
        forward: '"{{old}}"::bigint',
        reverse: '{{new}}::int',
      }),
      /must stand alone|not inside/,
    ],
    [
      'a comment that would swallow what follows the expression',
      () => ({
        kind: 'change-type',
        schema: 'public',
        table: 'accounts',
        column: 'n',
        newColumn: 'n_big',
        newType: 'bigint',
        forward: '{{old}}::bigint --',
        reverse: '{{new}}::int',
      }),
      /contains a comment/,
    ],
    [
      'a comment in a type name',
      () => ({ kind: 'add-column', schema: 'public', table: 'accounts', column: 'extra', type: 'text -- x', notNull: false }),
      /contains a comment/,
    ],
    [
      'a stable built-in that reads a whole table',
      () => ({
        kind: 'add-column',
        schema: 'public',
        table: 'accounts',
        column: 'leak',
        type: 'text',
        notNull: true,
        backfill: "table_to_xml('accounts', true, false, '')::text",
      }),
      /reads more than the row/,
    ],
    [
      'a bare column name (means another thing in each place)',
      () => ({ kind: 'set-not-null', schema: 'public', table: 'accounts', column: 'email', fill: 'status' }),
      /refers to status directly: write \{\{row\}\}\."status"/,
    ],
    [
      'a cast to a domain whose CHECK calls a volatile function',
      () => ({
        kind: 'change-type',
        schema: 'public',
        table: 'accounts',
        column: 'n',
        newColumn: 'n_big',
        newType: 'bigint',
        forward: '{{old}}::public.evil::bigint',
        reverse: '{{new}}::int',
      }),
      /casts to public\.evil, a domain whose CHECK/,
    ],
    [
      'a forward mapping that does not use {{old}}',
      () => ({
        kind: 'change-type',
        schema: 'public',
        table: 'accounts',
        column: 'n',
        newColumn: 'n_big',
        newType: 'bigint',
        forward: '1',
        reverse: '{{new}}::int',
      }),
      /must use \{\{old\}\}/,
    ],
  ];
  beforeAll(async () => {
    await db.query(`CREATE FUNCTION bump_check(int) RETURNS boolean VOLATILE LANGUAGE sql AS $$ SELECT setval('public.victim_seq', 4242) IS NOT NULL $$;
      CREATE DOMAIN evil AS int CHECK (public.bump_check(VALUE));`);
  });
  it.each(attacks.map(([name]) => [name]))('%s: refused with the reason, nothing happened', async (name) => {
    const [, spec, reason] = attacks.find(([n]) => n === name)!;
    const started = Date.now();
    const error = await planChange(planner, spec()).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as Error).message).toMatch(reason);
    await nothingHappened();
  });
});

describe('what stays allowed', () => {
  it('plans ordinary mappings: CASE, COALESCE, NULLIF, casts, operators, stable and immutable functions', async () => {
    const plan = await planChange(planner, {
      kind: 'change-type',
      schema: 'public',
      table: 'accounts',
      column: 'status',
      newColumn: 'status_code',
      newType: 'integer',
      forward: "CASE lower(coalesce(nullif({{old}}, ''), 'pending')) WHEN 'pending' THEN 1 WHEN 'done' THEN 2 END",
      reverse: "CASE {{new}} WHEN 1 THEN 'pending' WHEN 2 THEN 'done' END",
    });
    expect(plan.notes.join(' ')).not.toContain('volatile');
  });

  it('allows a listed volatile function in a backfill and tells the reviewer', async () => {
    const plan = await planChange(planner, {
      kind: 'add-column',
      schema: 'public',
      table: 'accounts',
      column: 'token',
      type: 'uuid',
      notNull: true,
      backfill: 'gen_random_uuid()',
    });
    expect(plan.notes.join('\n')).toMatch(/backfill calls gen_random_uuid\(\): volatile, allowed/);
  });

  it('refuses that volatile function as a default: it would rewrite the table', async () => {
    const error = (await planChange(planner, {
      kind: 'add-column',
      schema: 'public',
      table: 'accounts',
      column: 'token',
      type: 'uuid',
      notNull: true,
      default: 'gen_random_uuid()',
    }).catch((e: unknown) => e)) as PlanValidationError;
    expect(error.message).toContain('computed per row');
  });

  it('refuses a type that does not exist, before any migration is created', async () => {
    const error = (await planChange(planner, {
      kind: 'add-column',
      schema: 'public',
      table: 'accounts',
      column: 'label',
      type: 'strnig',
      notNull: false,
    }).catch((e: unknown) => e)) as PlanValidationError;
    expect(error).toBeInstanceOf(PlanValidationError);
    expect(error.message).toContain('type "strnig" does not exist');
  });
});
