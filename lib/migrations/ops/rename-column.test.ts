import { describe, expect, it } from 'vitest';
import { operationFor } from '../operations';
import { planOperation } from '../plan-operation';
import type { FilePhase } from '../render-sql';
import { demoSnapshot, leadsTable, phaseSql } from '../../../tests/helpers/test-fixtures';
import type { OperationSpec, Phase, Plan } from '../types';

// leads.user_email is NOT NULL, without a default, with a plain index: every step a rename can plan appears.
const rename: OperationSpec = { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' };

describe('rename-column: the SQL each phase runs', () => {
  it.each<{ name: string; input: OperationSpec; phase: Phase; expectedSql: string }>([
    { name: 'preflight', input: rename, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand',
      input: rename,
      phase: 'expand',
      expectedSql: `-- expand/01-add_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "contact_email" text;
COMMIT;

-- expand/02-sync_function (NONE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE FUNCTION "public"."ec_sync_leads_user_email_contact_email"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW."contact_email" IS NULL AND NEW."user_email" IS NOT NULL THEN
      NEW."contact_email" := (NEW."user_email");
    ELSIF NEW."contact_email" IS NOT NULL AND NEW."contact_email" IS DISTINCT FROM (NEW."user_email") THEN
      NEW."user_email" := (NEW."contact_email");
    END IF;
  ELSIF NEW."contact_email" IS DISTINCT FROM (NEW."user_email") THEN
    -- Reached only through the new-write trigger: the new column changed, and it wins.
    NEW."user_email" := (NEW."contact_email");
  END IF;
  RETURN NEW;
END
$ec$;
CREATE OR REPLACE FUNCTION "public"."ec_sync_old_leads_user_email_contact_email"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  -- Reached only through the old-write trigger: the old column changed and the new one did not, or the new one is still NULL.
  NEW."contact_email" := (NEW."user_email");
  RETURN NEW;
END
$ec$;
COMMIT;

-- expand/03-sync_trigger (SHARE ROW EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE TRIGGER "ec_sync_ins_leads_user_email_contact_email" BEFORE INSERT ON "public"."leads"
FOR EACH ROW EXECUTE FUNCTION "public"."ec_sync_leads_user_email_contact_email"();
CREATE OR REPLACE TRIGGER "ec_sync_new_leads_user_email_contact_email" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NEW."contact_email" IS DISTINCT FROM OLD."contact_email") EXECUTE FUNCTION "public"."ec_sync_leads_user_email_contact_email"();
CREATE OR REPLACE TRIGGER "ec_sync_old_leads_user_email_contact_email" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NOT (NEW."contact_email" IS DISTINCT FROM OLD."contact_email") AND (NEW."user_email" IS DISTINCT FROM OLD."user_email" OR (NEW."contact_email" IS NULL AND NEW."user_email" IS NOT NULL))) EXECUTE FUNCTION "public"."ec_sync_old_leads_user_email_contact_email"();
COMMIT;

-- expand/04-not_null_check (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"public"."leads"'::regclass AND conname = 'ec_nn_leads_contact_email') THEN
    ALTER TABLE "public"."leads" ADD CONSTRAINT "ec_nn_leads_contact_email" CHECK ("contact_email" IS NOT NULL) NOT VALID;
  END IF;
END
$ec$;
COMMIT;`,
    },
    {
      name: 'backfill',
      input: rename,
      phase: 'backfill',
      expectedSql: `-- backfill/01-copy_rows (ROW EXCLUSIVE)
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
      EXECUTE 'UPDATE "public"."leads" AS t SET "contact_email" = (t."user_email")
WHERE (t."id") <= ($1::bigint) AND (t."contact_email" IS DISTINCT FROM (t."user_email"))' USING edge.last_key[1];
    ELSE
      EXECUTE 'UPDATE "public"."leads" AS t SET "contact_email" = (t."user_email")
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."contact_email" IS DISTINCT FROM (t."user_email"))' USING last_key[1], edge.last_key[1];
    END IF;
    last_key := edge.last_key;
    COMMIT;
  END LOOP;
END
$ec$;
RESET lock_timeout;
RESET statement_timeout;

-- backfill/02-clear_invalid_leads_user_email_idx (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('"public"."ec_idx_leads_contact_email_e05ef2ad"') AND NOT indisvalid) THEN
    DROP INDEX "public"."ec_idx_leads_contact_email_e05ef2ad";
  END IF;
END
$ec$;
COMMIT;

-- backfill/03-index_leads_user_email_idx (SHARE UPDATE EXCLUSIVE)
SET lock_timeout = '1h';
SET statement_timeout = '1h';
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ec_idx_leads_contact_email_e05ef2ad" ON "public"."leads" USING "btree" ("contact_email");
RESET lock_timeout;
RESET statement_timeout;`,
    },
    {
      name: 'contract',
      input: rename,
      phase: 'contract',
      expectedSql: `-- contract/01-sync_live (NONE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
DECLARE
  found bigint;
BEGIN
  PERFORM set_config('row_security', 'off', true);
  EXECUTE 'SELECT (3 - count(*))::bigint AS count FROM pg_trigger
WHERE tgrelid = ''"public"."leads"''::regclass AND tgenabled IN (''O'', ''A'') AND tgname IN (''ec_sync_ins_leads_user_email_contact_email'', ''ec_sync_new_leads_user_email_contact_email'', ''ec_sync_old_leads_user_email_contact_email'')' INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION 'contract check failed: % row(s): %', found, 'Sync triggers on leads missing or disabled: must be 0, or writes since the last verify may have bypassed them (run backfill and verify again)';
  END IF;
END
$ec$;
COMMIT;

-- contract/02-columns_agree (ACCESS SHARE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
DO $ec$
DECLARE
  found bigint;
BEGIN
  PERFORM set_config('row_security', 'off', true);
  EXECUTE 'SELECT count(*)::bigint AS count FROM (SELECT 1 FROM "public"."leads" AS t WHERE t."contact_email" IS DISTINCT FROM (t."user_email") LIMIT 1000) AS differing' INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION 'contract check failed: % row(s): %', found, 'Rows whose user_email and contact_email disagree, or whose old value does not read back from the new one: must be 0, or those old values would go with the drop (run backfill and verify again)';
  END IF;
END
$ec$;
COMMIT;

-- contract/03-indexes_valid (NONE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
DECLARE
  found bigint;
BEGIN
  PERFORM set_config('row_security', 'off', true);
  EXECUTE 'SELECT count(*)::bigint AS count FROM unnest(ARRAY[''"public"."ec_idx_leads_contact_email_e05ef2ad"'']) AS n(name)
WHERE NOT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(n.name) AND indisvalid)' INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION 'contract check failed: % row(s): %', found, 'Indexes rebuilt on contact_email that are missing or INVALID: must be 0, or the old column''s indexes would go with nothing to replace them';
  END IF;
END
$ec$;
COMMIT;

-- contract/04-archive_old_values (ACCESS SHARE)
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

-- contract/05-validate_not_null (SHARE UPDATE EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
DO $ec$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"public"."leads"'::regclass AND conname = 'ec_nn_leads_contact_email') THEN
    ALTER TABLE "public"."leads" VALIDATE CONSTRAINT "ec_nn_leads_contact_email";
  END IF;
END
$ec$;
COMMIT;

-- contract/06-drop_old_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF (SELECT count(*) FROM pg_trigger WHERE tgrelid = '"public"."leads"'::regclass AND tgenabled IN ('O', 'A')
        AND tgname IN ('ec_sync_ins_leads_user_email_contact_email', 'ec_sync_new_leads_user_email_contact_email', 'ec_sync_old_leads_user_email_contact_email')) < 3 THEN
    RAISE EXCEPTION 'the sync triggers on % are missing or disabled: writes may have bypassed them; run backfill and verify again', '"public"."leads"';
  END IF;
END
$ec$;
DROP TRIGGER IF EXISTS "ec_sync_ins_leads_user_email_contact_email" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_new_leads_user_email_contact_email" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_old_leads_user_email_contact_email" ON "public"."leads";
DROP FUNCTION IF EXISTS "public"."ec_sync_leads_user_email_contact_email"();
DROP FUNCTION IF EXISTS "public"."ec_sync_old_leads_user_email_contact_email"();
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "user_email";
ALTER TABLE "public"."leads" ALTER COLUMN "contact_email" SET NOT NULL;
ALTER TABLE "public"."leads" DROP CONSTRAINT IF EXISTS "ec_nn_leads_contact_email";
COMMIT;`,
    },
    {
      name: 'rollback',
      input: rename,
      phase: 'rollback',
      expectedSql: `-- rollback/01-drop_new_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  -- After a contract the new column holds the only copy of the data: dropping it is never a rollback.
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '"public"."leads"'::regclass AND attname = 'user_email' AND NOT attisdropped) THEN
    RAISE EXCEPTION 'column % is gone (the contract ran): use restore, not rollback', 'user_email';
  END IF;
END
$ec$;
DROP TRIGGER IF EXISTS "ec_sync_ins_leads_user_email_contact_email" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_new_leads_user_email_contact_email" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_old_leads_user_email_contact_email" ON "public"."leads";
DROP FUNCTION IF EXISTS "public"."ec_sync_leads_user_email_contact_email"();
DROP FUNCTION IF EXISTS "public"."ec_sync_old_leads_user_email_contact_email"();
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "contact_email";
COMMIT;`,
    },
    {
      name: 'restore',
      input: rename,
      phase: 'restore',
      expectedSql: `-- restore/01-re_add_old_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "user_email" text;
CREATE OR REPLACE FUNCTION "public"."ec_sync_leads_user_email_contact_email"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW."contact_email" IS NULL AND NEW."user_email" IS NOT NULL THEN
      NEW."contact_email" := (NEW."user_email");
    ELSIF NEW."contact_email" IS NOT NULL AND NEW."contact_email" IS DISTINCT FROM (NEW."user_email") THEN
      NEW."user_email" := (NEW."contact_email");
    END IF;
  ELSIF NEW."contact_email" IS DISTINCT FROM (NEW."user_email") THEN
    -- Reached only through the new-write trigger: the new column changed, and it wins.
    NEW."user_email" := (NEW."contact_email");
  END IF;
  RETURN NEW;
END
$ec$;
CREATE OR REPLACE FUNCTION "public"."ec_sync_old_leads_user_email_contact_email"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  -- Reached only through the old-write trigger: the old column changed and the new one did not, or the new one is still NULL.
  NEW."contact_email" := (NEW."user_email");
  RETURN NEW;
END
$ec$;
CREATE OR REPLACE TRIGGER "ec_sync_ins_leads_user_email_contact_email" BEFORE INSERT ON "public"."leads"
FOR EACH ROW EXECUTE FUNCTION "public"."ec_sync_leads_user_email_contact_email"();
CREATE OR REPLACE TRIGGER "ec_sync_new_leads_user_email_contact_email" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NEW."contact_email" IS DISTINCT FROM OLD."contact_email") EXECUTE FUNCTION "public"."ec_sync_leads_user_email_contact_email"();
CREATE OR REPLACE TRIGGER "ec_sync_old_leads_user_email_contact_email" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NOT (NEW."contact_email" IS DISTINCT FROM OLD."contact_email") AND (NEW."user_email" IS DISTINCT FROM OLD."user_email" OR (NEW."contact_email" IS NULL AND NEW."user_email" IS NOT NULL))) EXECUTE FUNCTION "public"."ec_sync_old_leads_user_email_contact_email"();
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
      EXECUTE 'UPDATE "public"."leads" AS t SET "user_email" = coalesce((SELECT a."user_email" FROM "public"."ec_archive_leads_user_email" AS a WHERE t."id" = a."id" AND t."contact_email" IS NOT DISTINCT FROM (a."user_email")), (t."contact_email"))
WHERE (t."id") <= ($1::bigint) AND (t."user_email" IS NULL AND t."contact_email" IS NOT NULL)' USING edge.last_key[1];
    ELSE
      EXECUTE 'UPDATE "public"."leads" AS t SET "user_email" = coalesce((SELECT a."user_email" FROM "public"."ec_archive_leads_user_email" AS a WHERE t."id" = a."id" AND t."contact_email" IS NOT DISTINCT FROM (a."user_email")), (t."contact_email"))
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."user_email" IS NULL AND t."contact_email" IS NOT NULL)' USING last_key[1], edge.last_key[1];
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
      name: 'rename',
      input: rename,
      expectedSql: {
        parity: {
          countSql: 'SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE t."contact_email" IS DISTINCT FROM (t."user_email")',
          predicate: 't."contact_email" IS DISTINCT FROM (t."user_email")',
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
          firstUpdateSql: `UPDATE "public"."leads" AS t SET "contact_email" = (t."user_email")
WHERE (t."id") <= ($1::bigint) AND (t."contact_email" IS DISTINCT FROM (t."user_email"))`,
          updateSql: `UPDATE "public"."leads" AS t SET "contact_email" = (t."user_email")
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."contact_email" IS DISTINCT FROM (t."user_email"))`,
          remainingSql: 'SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE t."contact_email" IS DISTINCT FROM (t."user_email")',
        },
      },
    },
  ])('verify and backfill batches, $name', ({ input, expectedSql }) => {
    const { parity, backfill } = planOperation(input, demoSnapshot);
    expect({ parity, backfill }).toEqual(expectedSql);
  });
});

describe('rename-column: what it tells the rest of the product', () => {
  const op = operationFor(rename);

  it('retires the old column and takes no SQL from the author', () => {
    expect(op.legacyColumn(rename)).toEqual({ schema: 'public', table: 'leads', column: 'user_email' });
    expect(op.sqlFields(rename)).toEqual([]);
    expect(op.typeProbes(rename, leadsTable)).toEqual([]);
  });

  // A phase applied with `supabase db push` counts only when the catalog shows it.
  it.each<{ phase: FilePhase; expected: unknown }>([
    { phase: 'expand', expected: { schema: 'public', table: 'leads', present: ['user_email', 'contact_email'], absent: [], notNull: [] } },
    { phase: 'contract', expected: { schema: 'public', table: 'leads', present: [], absent: ['user_email'], notNull: [] } },
    { phase: 'rollback', expected: { schema: 'public', table: 'leads', present: ['user_email'], absent: ['contact_email'], notNull: [] } },
    { phase: 'restore', expected: { schema: 'public', table: 'leads', present: ['user_email', 'contact_email'], absent: [], notNull: [] } },
  ])('after $phase the catalog shows', ({ phase, expected }) => {
    expect(op.catalogAfter(rename, phase)).toEqual(expected);
  });

  it('is offered in the form and on the command line', () => {
    expect(op.form).toEqual({ label: 'Rename a column', column: 'existing', fields: [{ name: 'newName', label: 'New name', value: 'name' }] });
    expect(op.cli?.command).toBe('rename');
    expect(op.cli?.words(rename)).toEqual(['contact_email']);
  });
});
