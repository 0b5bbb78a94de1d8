import { describe, expect, it } from 'vitest';
import { operationFor } from '../operations';
import { planOperation } from '../plan-operation';
import type { FilePhase } from '../render-sql';
import { demoSnapshot, membershipsTable, phaseSql } from '../../../tests/helpers/test-fixtures';
import type { OperationSpec, Phase, Plan } from '../types';

// memberships.role is nullable, on a table keyed by (org_id, user_id): the backfill walks a composite key.
const withFill: OperationSpec = { kind: 'set-not-null', schema: 'public', table: 'memberships', column: 'role', fill: "'member'" };
const withoutFill: OperationSpec = { kind: 'set-not-null', schema: 'public', table: 'memberships', column: 'role' };

describe('set-not-null: the SQL each phase runs', () => {
  it.each<{ name: string; input: OperationSpec; phase: Phase; expectedSql: string }>([
    { name: 'preflight, withFill', input: withFill, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand, withFill',
      input: withFill,
      phase: 'expand',
      expectedSql: `-- expand/01-fill_function (NONE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE FUNCTION "public"."ec_fill_memberships_role"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  IF NEW."role" IS NULL THEN
    NEW."role" := ('member');
  END IF;
  RETURN NEW;
END
$ec$;
COMMIT;

-- expand/02-fill_trigger (SHARE ROW EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE TRIGGER "ec_fill_memberships_role" BEFORE INSERT OR UPDATE ON "public"."memberships"
FOR EACH ROW EXECUTE FUNCTION "public"."ec_fill_memberships_role"();
COMMIT;`,
    },
    {
      name: 'backfill, withFill',
      input: withFill,
      phase: 'backfill',
      expectedSql: `-- backfill/01-fill_nulls (ROW EXCLUSIVE)
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
  SELECT "org_id", "user_id" FROM "public"."memberships"
  ORDER BY "org_id", "user_id"
  LIMIT 1 OFFSET $1::int - 1
)
SELECT ARRAY["org_id"::text, "user_id"::text] AS last_key, $1::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["org_id"::text, "user_id"::text], (SELECT count(*) FROM "public"."memberships")::int FROM (
  SELECT "org_id", "user_id" FROM "public"."memberships"
  WHERE NOT EXISTS (SELECT FROM edge) ORDER BY "org_id" DESC, "user_id" DESC
  LIMIT 1
) tail' INTO edge USING 1000;
    ELSE
      EXECUTE 'WITH edge AS (
  SELECT "org_id", "user_id" FROM "public"."memberships"
  WHERE ("org_id", "user_id") > ($1::uuid, $2::bigint) ORDER BY "org_id", "user_id"
  LIMIT 1 OFFSET $3::int - 1
)
SELECT ARRAY["org_id"::text, "user_id"::text] AS last_key, $3::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["org_id"::text, "user_id"::text], (SELECT count(*) FROM "public"."memberships" WHERE ("org_id", "user_id") > ($1::uuid, $2::bigint))::int FROM (
  SELECT "org_id", "user_id" FROM "public"."memberships"
  WHERE ("org_id", "user_id") > ($1::uuid, $2::bigint) AND NOT EXISTS (SELECT FROM edge) ORDER BY "org_id" DESC, "user_id" DESC
  LIMIT 1
) tail' INTO edge USING last_key[1], last_key[2], 1000;
    END IF;
    EXIT WHEN edge.last_key IS NULL;
    IF last_key IS NULL THEN
      EXECUTE 'UPDATE "public"."memberships" AS t SET "role" = (''member'')
WHERE (t."org_id", t."user_id") <= ($1::uuid, $2::bigint) AND (t."role" IS NULL)' USING edge.last_key[1], edge.last_key[2];
    ELSE
      EXECUTE 'UPDATE "public"."memberships" AS t SET "role" = (''member'')
WHERE (t."org_id", t."user_id") > ($1::uuid, $2::bigint) AND (t."org_id", t."user_id") <= ($3::uuid, $4::bigint) AND (t."role" IS NULL)' USING last_key[1], last_key[2], edge.last_key[1], edge.last_key[2];
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
      name: 'contract, withFill',
      input: withFill,
      phase: 'contract',
      expectedSql: `-- contract/01-add_check (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"public"."memberships"'::regclass AND conname = 'ec_nn_memberships_role') THEN
    ALTER TABLE "public"."memberships" ADD CONSTRAINT "ec_nn_memberships_role" CHECK ("role" IS NOT NULL) NOT VALID;
  END IF;
END
$ec$;
COMMIT;

-- contract/02-validate_check (SHARE UPDATE EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
ALTER TABLE "public"."memberships" VALIDATE CONSTRAINT "ec_nn_memberships_role";
COMMIT;

-- contract/03-set_not_null (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."memberships" ALTER COLUMN "role" SET NOT NULL;
ALTER TABLE "public"."memberships" DROP CONSTRAINT IF EXISTS "ec_nn_memberships_role";
DROP TRIGGER IF EXISTS "ec_fill_memberships_role" ON "public"."memberships";
DROP FUNCTION IF EXISTS "public"."ec_fill_memberships_role"();
COMMIT;`,
    },
    {
      name: 'rollback, withFill',
      input: withFill,
      phase: 'rollback',
      expectedSql: `-- rollback/01-drop_fill (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DROP TRIGGER IF EXISTS "ec_fill_memberships_role" ON "public"."memberships";
DROP FUNCTION IF EXISTS "public"."ec_fill_memberships_role"();
ALTER TABLE "public"."memberships" DROP CONSTRAINT IF EXISTS "ec_nn_memberships_role";
COMMIT;`,
    },
    {
      name: 'restore, withFill',
      input: withFill,
      phase: 'restore',
      expectedSql: `-- restore/01-drop_not_null (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."memberships" ALTER COLUMN "role" DROP NOT NULL;
COMMIT;`,
    },
    {
      name: 'preflight, withoutFill',
      input: withoutFill,
      phase: 'preflight',
      expectedSql: `-- preflight/01-existing_nulls (ACCESS SHARE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
DO $ec$
DECLARE
  found bigint;
BEGIN
  PERFORM set_config('row_security', 'off', true);
  EXECUTE 'SELECT count(*)::bigint AS count FROM "public"."memberships" WHERE "role" IS NULL' INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION 'preflight check failed: % row(s): %', found, 'Rows where role is NULL: must be 0, or give a fill expression';
  END IF;
END
$ec$;
COMMIT;`,
    },
    { name: 'expand, withoutFill', input: withoutFill, phase: 'expand', expectedSql: '' },
    { name: 'backfill, withoutFill', input: withoutFill, phase: 'backfill', expectedSql: '' },
    {
      name: 'contract, withoutFill',
      input: withoutFill,
      phase: 'contract',
      expectedSql: `-- contract/01-add_check (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"public"."memberships"'::regclass AND conname = 'ec_nn_memberships_role') THEN
    ALTER TABLE "public"."memberships" ADD CONSTRAINT "ec_nn_memberships_role" CHECK ("role" IS NOT NULL) NOT VALID;
  END IF;
END
$ec$;
COMMIT;

-- contract/02-validate_check (SHARE UPDATE EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
ALTER TABLE "public"."memberships" VALIDATE CONSTRAINT "ec_nn_memberships_role";
COMMIT;

-- contract/03-set_not_null (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."memberships" ALTER COLUMN "role" SET NOT NULL;
ALTER TABLE "public"."memberships" DROP CONSTRAINT IF EXISTS "ec_nn_memberships_role";
COMMIT;`,
    },
    {
      name: 'rollback, withoutFill',
      input: withoutFill,
      phase: 'rollback',
      expectedSql: `-- rollback/01-drop_fill (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DROP TRIGGER IF EXISTS "ec_fill_memberships_role" ON "public"."memberships";
DROP FUNCTION IF EXISTS "public"."ec_fill_memberships_role"();
ALTER TABLE "public"."memberships" DROP CONSTRAINT IF EXISTS "ec_nn_memberships_role";
COMMIT;`,
    },
    {
      name: 'restore, withoutFill',
      input: withoutFill,
      phase: 'restore',
      expectedSql: `-- restore/01-drop_not_null (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."memberships" ALTER COLUMN "role" DROP NOT NULL;
COMMIT;`,
    },
  ])('$name', ({ input, phase, expectedSql }) => {
    expect(phaseSql(planOperation(input, demoSnapshot), phase)).toBe(expectedSql);
  });

  it.each<{ name: string; input: OperationSpec; expectedSql: Pick<Plan, 'parity' | 'backfill'> }>([
    {
      name: 'withFill',
      input: withFill,
      expectedSql: {
        parity: {
          countSql: 'SELECT count(*)::bigint AS count FROM "public"."memberships" AS t WHERE t."role" IS NULL',
          predicate: 't."role" IS NULL',
        },
        backfill: {
          table: {
            schema: 'public',
            name: 'memberships',
          },
          key: ['org_id', 'user_id'],
          keyTypes: ['uuid', 'bigint'],
          firstEdgeSql: `WITH edge AS (
  SELECT "org_id", "user_id" FROM "public"."memberships"
  ORDER BY "org_id", "user_id"
  LIMIT 1 OFFSET $1::int - 1
)
SELECT ARRAY["org_id"::text, "user_id"::text] AS last_key, $1::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["org_id"::text, "user_id"::text], (SELECT count(*) FROM "public"."memberships")::int FROM (
  SELECT "org_id", "user_id" FROM "public"."memberships"
  WHERE NOT EXISTS (SELECT FROM edge) ORDER BY "org_id" DESC, "user_id" DESC
  LIMIT 1
) tail`,
          edgeSql: `WITH edge AS (
  SELECT "org_id", "user_id" FROM "public"."memberships"
  WHERE ("org_id", "user_id") > ($1::uuid, $2::bigint) ORDER BY "org_id", "user_id"
  LIMIT 1 OFFSET $3::int - 1
)
SELECT ARRAY["org_id"::text, "user_id"::text] AS last_key, $3::int AS scanned FROM edge
UNION ALL
SELECT ARRAY["org_id"::text, "user_id"::text], (SELECT count(*) FROM "public"."memberships" WHERE ("org_id", "user_id") > ($1::uuid, $2::bigint))::int FROM (
  SELECT "org_id", "user_id" FROM "public"."memberships"
  WHERE ("org_id", "user_id") > ($1::uuid, $2::bigint) AND NOT EXISTS (SELECT FROM edge) ORDER BY "org_id" DESC, "user_id" DESC
  LIMIT 1
) tail`,
          firstUpdateSql: `UPDATE "public"."memberships" AS t SET "role" = ('member')
WHERE (t."org_id", t."user_id") <= ($1::uuid, $2::bigint) AND (t."role" IS NULL)`,
          updateSql: `UPDATE "public"."memberships" AS t SET "role" = ('member')
WHERE (t."org_id", t."user_id") > ($1::uuid, $2::bigint) AND (t."org_id", t."user_id") <= ($3::uuid, $4::bigint) AND (t."role" IS NULL)`,
          remainingSql: 'SELECT count(*)::bigint AS count FROM "public"."memberships" AS t WHERE t."role" IS NULL',
        },
      },
    },
    {
      name: 'withoutFill',
      input: withoutFill,
      expectedSql: {
        parity: {
          countSql: 'SELECT count(*)::bigint AS count FROM "public"."memberships" AS t WHERE t."role" IS NULL',
          predicate: 't."role" IS NULL',
        },
        backfill: null,
      },
    },
  ])('verify and backfill batches, $name', ({ input, expectedSql }) => {
    const { parity, backfill } = planOperation(input, demoSnapshot);
    expect({ parity, backfill }).toEqual(expectedSql);
  });
});

describe('set-not-null: what it tells the rest of the product', () => {
  const op = operationFor(withFill);

  it('retires no column; the fill is SQL over the row', () => {
    expect(op.legacyColumn(withFill)).toBeNull();
    expect(op.sqlFields(withFill)).toEqual([{ field: 'fill', text: "'member'", kind: 'expression', placeholders: ['row'] }]);
    expect(op.sqlFields(withoutFill)).toEqual([]);
    expect(op.typeProbes(withFill, membershipsTable)).toEqual([{ field: 'fill', expression: "'member'", select: "('member')::text" }]);
    expect(op.typeProbes(withoutFill, membershipsTable)).toEqual([]);
  });

  // A phase applied with `supabase db push` counts only when the catalog shows it.
  it.each<{ phase: FilePhase; expected: unknown }>([
    { phase: 'expand', expected: { schema: 'public', table: 'memberships', present: ['role'], absent: [], notNull: [] } },
    { phase: 'contract', expected: { schema: 'public', table: 'memberships', present: [], absent: [], notNull: ['role'] } },
    { phase: 'rollback', expected: { schema: 'public', table: 'memberships', present: ['role'], absent: [], notNull: [] } },
    { phase: 'restore', expected: { schema: 'public', table: 'memberships', present: ['role'], absent: [], notNull: [] } },
  ])('after $phase the catalog shows', ({ phase, expected }) => {
    expect(op.catalogAfter(withFill, phase)).toEqual(expected);
  });

  it('is offered on the command line in the words it is planned with', () => {
    expect(op.form?.fields.map((f) => f.name)).toEqual(['fill']);
    expect(op.cli?.command).toBe('set-not-null');
    expect(op.cli?.words(withFill)).toEqual(['--fill', "'member'"]);
    expect(op.cli?.words(withoutFill)).toEqual([]);
  });
});
