import { describe, expect, it } from 'vitest';
import { operationFor } from '../operations';
import { planOperation } from '../plan-operation';
import type { FilePhase } from '../render-sql';
import { demoSnapshot, leadsTable, phaseSql } from '../../../tests/helpers/test-fixtures';
import type { OperationSpec, Phase, Plan } from '../types';

// A NOT NULL column without a default (the expand lets new code leave it out) and a nullable one on a composite key.
const notNullColumn: OperationSpec = { kind: 'drop-column', schema: 'public', table: 'leads', column: 'user_email' };
const nullableColumn: OperationSpec = { kind: 'drop-column', schema: 'public', table: 'memberships', column: 'role' };

describe('drop-column: the SQL each phase runs', () => {
  it.each<{ name: string; input: OperationSpec; phase: Phase; expectedSql: string }>([
    { name: 'preflight, notNullColumn', input: notNullColumn, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand, notNullColumn',
      input: notNullColumn,
      phase: 'expand',
      expectedSql: `-- expand/01-drop_not_null (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ALTER COLUMN "user_email" DROP NOT NULL;
COMMIT;`,
    },
    { name: 'backfill, notNullColumn', input: notNullColumn, phase: 'backfill', expectedSql: '' },
    {
      name: 'contract, notNullColumn',
      input: notNullColumn,
      phase: 'contract',
      expectedSql: `-- contract/01-archive_values (ACCESS SHARE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
CREATE TABLE IF NOT EXISTS "public"."ec_archive_leads_user_email" (
  "id" bigint NOT NULL,
  "user_email" text,
  archived_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("id")
);
-- Not for API clients: with RLS on and no policy, only the owner reads it (Supabase grants new tables in public to anon).
ALTER TABLE "public"."ec_archive_leads_user_email" ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON "public"."ec_archive_leads_user_email" FROM PUBLIC;
INSERT /* expand-contract */ INTO "public"."ec_archive_leads_user_email" ("id", "user_email")
SELECT "id", "user_email" FROM "public"."leads"
ON CONFLICT ("id") DO UPDATE SET "user_email" = EXCLUDED."user_email", archived_at = now();
COMMIT;

-- contract/02-drop_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "user_email";
COMMIT;`,
    },
    {
      name: 'rollback, notNullColumn',
      input: notNullColumn,
      phase: 'rollback',
      expectedSql: `-- rollback/01-set_not_null (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
ALTER TABLE "public"."leads" ALTER COLUMN "user_email" SET NOT NULL;
COMMIT;`,
    },
    {
      name: 'restore, notNullColumn',
      input: notNullColumn,
      phase: 'restore',
      expectedSql: `-- restore/01-re_add_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "user_email" text;
COMMIT;

-- restore/02-fill_from_archive (ROW EXCLUSIVE)
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
      EXECUTE 'UPDATE "public"."leads" AS t SET "user_email" = (SELECT a."user_email" FROM "public"."ec_archive_leads_user_email" AS a WHERE t."id" = a."id")
WHERE (t."id") <= ($1::bigint) AND (t."user_email" IS NULL AND EXISTS (SELECT 1 FROM "public"."ec_archive_leads_user_email" AS a WHERE t."id" = a."id" AND a."user_email" IS NOT NULL))' USING edge.last_key[1];
    ELSE
      EXECUTE 'UPDATE "public"."leads" AS t SET "user_email" = (SELECT a."user_email" FROM "public"."ec_archive_leads_user_email" AS a WHERE t."id" = a."id")
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."user_email" IS NULL AND EXISTS (SELECT 1 FROM "public"."ec_archive_leads_user_email" AS a WHERE t."id" = a."id" AND a."user_email" IS NOT NULL))' USING last_key[1], edge.last_key[1];
    END IF;
    last_key := edge.last_key;
    COMMIT;
  END LOOP;
END
$ec$;
RESET lock_timeout;
RESET statement_timeout;`,
    },
    { name: 'preflight, nullableColumn', input: nullableColumn, phase: 'preflight', expectedSql: '' },
    { name: 'expand, nullableColumn', input: nullableColumn, phase: 'expand', expectedSql: '' },
    { name: 'backfill, nullableColumn', input: nullableColumn, phase: 'backfill', expectedSql: '' },
    {
      name: 'contract, nullableColumn',
      input: nullableColumn,
      phase: 'contract',
      expectedSql: `-- contract/01-archive_values (ACCESS SHARE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
CREATE TABLE IF NOT EXISTS "public"."ec_archive_memberships_role" (
  "org_id" uuid NOT NULL,
  "user_id" bigint NOT NULL,
  "role" text,
  archived_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("org_id", "user_id")
);
-- Not for API clients: with RLS on and no policy, only the owner reads it (Supabase grants new tables in public to anon).
ALTER TABLE "public"."ec_archive_memberships_role" ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON "public"."ec_archive_memberships_role" FROM PUBLIC;
INSERT /* expand-contract */ INTO "public"."ec_archive_memberships_role" ("org_id", "user_id", "role")
SELECT "org_id", "user_id", "role" FROM "public"."memberships"
ON CONFLICT ("org_id", "user_id") DO UPDATE SET "role" = EXCLUDED."role", archived_at = now();
COMMIT;

-- contract/02-drop_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."memberships" DROP COLUMN IF EXISTS "role";
COMMIT;`,
    },
    { name: 'rollback, nullableColumn', input: nullableColumn, phase: 'rollback', expectedSql: '' },
    {
      name: 'restore, nullableColumn',
      input: nullableColumn,
      phase: 'restore',
      expectedSql: `-- restore/01-re_add_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."memberships" ADD COLUMN IF NOT EXISTS "role" text;
COMMIT;

-- restore/02-fill_from_archive (ROW EXCLUSIVE)
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
      EXECUTE 'UPDATE "public"."memberships" AS t SET "role" = (SELECT a."role" FROM "public"."ec_archive_memberships_role" AS a WHERE t."org_id" = a."org_id" AND t."user_id" = a."user_id")
WHERE (t."org_id", t."user_id") <= ($1::uuid, $2::bigint) AND (t."role" IS NULL AND EXISTS (SELECT 1 FROM "public"."ec_archive_memberships_role" AS a WHERE t."org_id" = a."org_id" AND t."user_id" = a."user_id" AND a."role" IS NOT NULL))' USING edge.last_key[1], edge.last_key[2];
    ELSE
      EXECUTE 'UPDATE "public"."memberships" AS t SET "role" = (SELECT a."role" FROM "public"."ec_archive_memberships_role" AS a WHERE t."org_id" = a."org_id" AND t."user_id" = a."user_id")
WHERE (t."org_id", t."user_id") > ($1::uuid, $2::bigint) AND (t."org_id", t."user_id") <= ($3::uuid, $4::bigint) AND (t."role" IS NULL AND EXISTS (SELECT 1 FROM "public"."ec_archive_memberships_role" AS a WHERE t."org_id" = a."org_id" AND t."user_id" = a."user_id" AND a."role" IS NOT NULL))' USING last_key[1], last_key[2], edge.last_key[1], edge.last_key[2];
    END IF;
    last_key := edge.last_key;
    COMMIT;
  END LOOP;
END
$ec$;
RESET lock_timeout;
RESET statement_timeout;`,
    },
  ])('$name', ({ input, phase, expectedSql }) => {
    expect(phaseSql(planOperation(input, demoSnapshot), phase)).toBe(expectedSql);
  });

  it.each<{ name: string; input: OperationSpec; expectedSql: Pick<Plan, 'parity' | 'backfill'> }>([
    {
      name: 'notNullColumn',
      input: notNullColumn,
      expectedSql: {
        parity: null,
        backfill: null,
      },
    },
    {
      name: 'nullableColumn',
      input: nullableColumn,
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

describe('drop-column: what it tells the rest of the product', () => {
  const op = operationFor(notNullColumn);

  it('retires the column and takes no SQL from the author', () => {
    expect(op.legacyColumn(notNullColumn)).toEqual({ schema: 'public', table: 'leads', column: 'user_email' });
    expect(op.sqlFields(notNullColumn)).toEqual([]);
    expect(op.typeProbes(notNullColumn, leadsTable)).toEqual([]);
  });

  // A phase applied with `supabase db push` counts only when the catalog shows it.
  it.each<{ phase: FilePhase; expected: unknown }>([
    { phase: 'expand', expected: { schema: 'public', table: 'leads', present: ['user_email'], absent: [], notNull: [] } },
    { phase: 'contract', expected: { schema: 'public', table: 'leads', present: [], absent: ['user_email'], notNull: [] } },
    { phase: 'rollback', expected: { schema: 'public', table: 'leads', present: ['user_email'], absent: [], notNull: [] } },
    { phase: 'restore', expected: { schema: 'public', table: 'leads', present: ['user_email'], absent: [], notNull: [] } },
  ])('after $phase the catalog shows', ({ phase, expected }) => {
    expect(op.catalogAfter(notNullColumn, phase)).toEqual(expected);
  });

  it('is offered in the form and on the command line', () => {
    expect(op.form).toEqual({ label: 'Drop a column', column: 'existing', fields: [] });
    expect(op.cli?.command).toBe('drop-column');
    expect(op.cli?.words(notNullColumn)).toEqual([]);
  });
});
