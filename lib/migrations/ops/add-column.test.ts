import { describe, expect, it } from 'vitest';
import { operationFor } from '../operations';
import { planOperation } from '../plan-operation';
import type { FilePhase } from '../render-sql';
import { demoSnapshot, leadsTable, phaseSql } from '../../../tests/helpers/test-fixtures';
import type { OperationSpec, Phase, Plan } from '../types';

// The three ways to add a column: NOT NULL filled by an expression, NOT NULL with a constant default, nullable.
const computed: OperationSpec = {
  kind: 'add-column',
  schema: 'public',
  table: 'leads',
  column: 'plan',
  type: 'text',
  notNull: true,
  backfill: '{{row}}."source" || \'-free\'',
};
const constant: OperationSpec = { kind: 'add-column', schema: 'public', table: 'leads', column: 'plan', type: 'text', notNull: true, default: "'free'" };
const nullable: OperationSpec = { kind: 'add-column', schema: 'public', table: 'leads', column: 'note', type: 'varchar(200)', notNull: false };

describe('add-column: the SQL each phase runs', () => {
  it.each<{ name: string; input: OperationSpec; phase: Phase; expectedSql: string }>([
    { name: 'preflight, computed', input: computed, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand, computed',
      input: computed,
      phase: 'expand',
      expectedSql: `-- expand/01-add_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "plan" text;
COMMIT;

-- expand/02-fill_function (NONE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE FUNCTION "public"."ec_fill_leads_plan"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  IF NEW."plan" IS NULL THEN
    NEW."plan" := (NEW."source" || '-free');
  END IF;
  RETURN NEW;
END
$ec$;
COMMIT;

-- expand/03-fill_trigger (SHARE ROW EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE TRIGGER "ec_fill_leads_plan" BEFORE INSERT OR UPDATE ON "public"."leads"
FOR EACH ROW EXECUTE FUNCTION "public"."ec_fill_leads_plan"();
COMMIT;`,
    },
    {
      name: 'backfill, computed',
      input: computed,
      phase: 'backfill',
      expectedSql: `-- backfill/01-fill_rows (ROW EXCLUSIVE)
SET lock_timeout = '1s';
SET statement_timeout = '0';
DO $ec$
DECLARE
  last_key text[];
  edge record;
BEGIN
  LOOP
    IF last_key IS NULL THEN
      EXECUTE 'WITH edge AS (
  SELECT "id" FROM "public"."leads"
  ORDER BY "id"
  LIMIT 1 OFFSET $1::int - 1
)
SELECT ARRAY["id"::text] AS last_key, $1::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["id"::text], (SELECT count(*) FROM "public"."leads")::int FROM (
  SELECT "id" FROM "public"."leads"
  WHERE NOT EXISTS (SELECT FROM edge) ORDER BY "id" DESC
  LIMIT 1
) tail' INTO edge USING 1000;
    ELSE
      EXECUTE 'WITH edge AS (
  SELECT "id" FROM "public"."leads"
  WHERE ("id") > ($1::bigint) ORDER BY "id"
  LIMIT 1 OFFSET $2::int - 1
)
SELECT ARRAY["id"::text] AS last_key, $2::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["id"::text], (SELECT count(*) FROM "public"."leads" WHERE ("id") > ($1::bigint))::int FROM (
  SELECT "id" FROM "public"."leads"
  WHERE ("id") > ($1::bigint) AND NOT EXISTS (SELECT FROM edge) ORDER BY "id" DESC
  LIMIT 1
) tail' INTO edge USING last_key[1], 1000;
    END IF;
    EXIT WHEN edge.last_key IS NULL;
    IF last_key IS NULL THEN
      EXECUTE 'UPDATE "public"."leads" AS t SET "plan" = (t."source" || ''-free'')
WHERE (t."id") <= ($1::bigint) AND (t."plan" IS NULL)' USING edge.last_key[1];
    ELSE
      EXECUTE 'UPDATE "public"."leads" AS t SET "plan" = (t."source" || ''-free'')
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."plan" IS NULL)' USING last_key[1], edge.last_key[1];
    END IF;
    last_key := edge.last_key;
    COMMIT;
  END LOOP;
END
$ec$;
RESET lock_timeout;
RESET statement_timeout;`,
    },
    {
      name: 'contract, computed',
      input: computed,
      phase: 'contract',
      expectedSql: `-- contract/01-add_check (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"public"."leads"'::regclass AND conname = 'ec_nn_leads_plan') THEN
    ALTER TABLE "public"."leads" ADD CONSTRAINT "ec_nn_leads_plan" CHECK ("plan" IS NOT NULL) NOT VALID;
  END IF;
END
$ec$;
COMMIT;

-- contract/02-validate_check (SHARE UPDATE EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
ALTER TABLE "public"."leads" VALIDATE CONSTRAINT "ec_nn_leads_plan";
COMMIT;

-- contract/03-set_not_null (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ALTER COLUMN "plan" SET NOT NULL;
ALTER TABLE "public"."leads" DROP CONSTRAINT IF EXISTS "ec_nn_leads_plan";
DROP TRIGGER IF EXISTS "ec_fill_leads_plan" ON "public"."leads";
DROP FUNCTION IF EXISTS "public"."ec_fill_leads_plan"();
COMMIT;`,
    },
    {
      name: 'rollback, computed',
      input: computed,
      phase: 'rollback',
      expectedSql: `-- rollback/01-drop_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DROP TRIGGER IF EXISTS "ec_fill_leads_plan" ON "public"."leads";
DROP FUNCTION IF EXISTS "public"."ec_fill_leads_plan"();
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "plan";
COMMIT;`,
    },
    { name: 'restore, computed', input: computed, phase: 'restore', expectedSql: '' },
    { name: 'preflight, constant', input: constant, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand, constant',
      input: constant,
      phase: 'expand',
      expectedSql: `-- expand/01-add_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "plan" text DEFAULT 'free' NOT NULL;
COMMIT;`,
    },
    { name: 'backfill, constant', input: constant, phase: 'backfill', expectedSql: '' },
    { name: 'contract, constant', input: constant, phase: 'contract', expectedSql: '' },
    {
      name: 'rollback, constant',
      input: constant,
      phase: 'rollback',
      expectedSql: `-- rollback/01-drop_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "plan";
COMMIT;`,
    },
    { name: 'restore, constant', input: constant, phase: 'restore', expectedSql: '' },
    { name: 'preflight, nullable', input: nullable, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand, nullable',
      input: nullable,
      phase: 'expand',
      expectedSql: `-- expand/01-add_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "note" varchar(200);
COMMIT;`,
    },
    { name: 'backfill, nullable', input: nullable, phase: 'backfill', expectedSql: '' },
    { name: 'contract, nullable', input: nullable, phase: 'contract', expectedSql: '' },
    {
      name: 'rollback, nullable',
      input: nullable,
      phase: 'rollback',
      expectedSql: `-- rollback/01-drop_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "note";
COMMIT;`,
    },
    { name: 'restore, nullable', input: nullable, phase: 'restore', expectedSql: '' },
  ])('$name', ({ input, phase, expectedSql }) => {
    expect(phaseSql(planOperation(input, demoSnapshot), phase)).toBe(expectedSql);
  });

  it.each<{ name: string; input: OperationSpec; expectedSql: Pick<Plan, 'parity' | 'backfill'> }>([
    {
      name: 'computed',
      input: computed,
      expectedSql: {
        parity: {
          countSql: 'SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE t."plan" IS NULL',
          predicate: 't."plan" IS NULL',
        },
        backfill: {
          table: {
            schema: 'public',
            name: 'leads',
          },
          key: ['id'],
          keyTypes: ['bigint'],
          firstEdgeSql: `WITH edge AS (
  SELECT "id" FROM "public"."leads"
  ORDER BY "id"
  LIMIT 1 OFFSET $1::int - 1
)
SELECT ARRAY["id"::text] AS last_key, $1::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["id"::text], (SELECT count(*) FROM "public"."leads")::int FROM (
  SELECT "id" FROM "public"."leads"
  WHERE NOT EXISTS (SELECT FROM edge) ORDER BY "id" DESC
  LIMIT 1
) tail`,
          edgeSql: `WITH edge AS (
  SELECT "id" FROM "public"."leads"
  WHERE ("id") > ($1::bigint) ORDER BY "id"
  LIMIT 1 OFFSET $2::int - 1
)
SELECT ARRAY["id"::text] AS last_key, $2::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["id"::text], (SELECT count(*) FROM "public"."leads" WHERE ("id") > ($1::bigint))::int FROM (
  SELECT "id" FROM "public"."leads"
  WHERE ("id") > ($1::bigint) AND NOT EXISTS (SELECT FROM edge) ORDER BY "id" DESC
  LIMIT 1
) tail`,
          firstUpdateSql: `UPDATE "public"."leads" AS t SET "plan" = (t."source" || '-free')
WHERE (t."id") <= ($1::bigint) AND (t."plan" IS NULL)`,
          updateSql: `UPDATE "public"."leads" AS t SET "plan" = (t."source" || '-free')
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."plan" IS NULL)`,
          remainingSql: 'SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE t."plan" IS NULL',
        },
      },
    },
    {
      name: 'constant',
      input: constant,
      expectedSql: {
        parity: null,
        backfill: null,
      },
    },
    {
      name: 'nullable',
      input: nullable,
      expectedSql: {
        parity: null,
        backfill: null,
      },
    },
  ])('verify and backfill batches, $name', ({ input, expectedSql }) => {
    const { parity, backfill } = planOperation(input, demoSnapshot);
    expect({ parity, backfill }).toEqual(expectedSql);
  });
});

describe('add-column: what it tells the rest of the product', () => {
  const op = operationFor(computed);

  it('retires no column; type, default and backfill are SQL, a volatile default refused for the rewrite it causes', () => {
    expect(op.legacyColumn(computed)).toBeNull();
    expect(op.sqlFields(computed)).toEqual([
      { field: 'type', text: 'text', kind: 'type', placeholders: [] },
      { field: 'backfill', text: '{{row}}."source" || \'-free\'', kind: 'expression', placeholders: ['row'] },
    ]);
    expect(op.sqlFields(constant)).toEqual([
      { field: 'type', text: 'text', kind: 'type', placeholders: [] },
      {
        field: 'default',
        text: "'free'",
        kind: 'expression',
        placeholders: [],
        volatileRewrites: {
          reason: 'is computed per row (volatile): adding the column would rewrite the whole table under an ACCESS EXCLUSIVE lock',
          advice: 'give it as --backfill instead: existing rows are then filled in batches, and a trigger fills rows old code inserts',
        },
      },
    ]);
  });

  it('type-checks the type, and each value as that type over the row', () => {
    expect(op.typeProbes(computed, leadsTable)).toEqual([
      { field: 'type', expression: 'text', select: 'NULL::text' },
      { field: 'backfill', expression: '{{row}}."source" || \'-free\'', select: `(t."source" || '-free')::text` },
    ]);
    expect(op.typeProbes(constant, leadsTable)).toEqual([
      { field: 'type', expression: 'text', select: 'NULL::text' },
      { field: 'default', expression: "'free'", select: "('free')::text" },
    ]);
  });

  // A phase applied with `supabase db push` counts only when the catalog shows it.
  it.each<{ phase: FilePhase; expected: unknown }>([
    { phase: 'expand', expected: { schema: 'public', table: 'leads', present: ['plan'], absent: [], notNull: [] } },
    { phase: 'contract', expected: { schema: 'public', table: 'leads', present: [], absent: [], notNull: ['plan'] } },
    { phase: 'rollback', expected: { schema: 'public', table: 'leads', present: [], absent: ['plan'], notNull: [] } },
    { phase: 'restore', expected: { schema: 'public', table: 'leads', present: ['plan'], absent: [], notNull: [] } },
  ])('after $phase the catalog shows', ({ phase, expected }) => {
    expect(op.catalogAfter(computed, phase)).toEqual(expected);
  });

  it('is offered in the form as a new column and on the command line in the words it is planned with', () => {
    expect(op.form?.column).toBe('new');
    expect(op.form?.fields.map((f) => [f.name, f.value])).toEqual([
      ['type', 'name'],
      ['notNull', 'flag'],
      ['default', 'optional'],
      ['backfill', 'optional'],
    ]);
    expect(op.cli?.command).toBe('add-column');
    expect(op.cli?.words(computed)).toEqual(['text', '--not-null', '--backfill', '{{row}}."source" || \'-free\'']);
    expect(op.cli?.words(constant)).toEqual(['text', '--not-null', '--default', "'free'"]);
    expect(op.cli?.words(nullable)).toEqual(['varchar(200)']);
  });
});
