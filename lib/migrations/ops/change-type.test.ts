import { describe, expect, it } from 'vitest';
import { operationFor } from '../operations';
import { planOperation } from '../plan-operation';
import type { FilePhase } from '../render-sql';
import { demoSnapshot, leadsTable, phaseSql } from '../../../tests/helpers/test-fixtures';
import type { OperationSpec, Phase, Plan } from '../types';

// leads.source is text NOT NULL DEFAULT 'web': the new column gets the NOT NULL check and, at the contract, the mapped default.
const retype: OperationSpec = {
  kind: 'change-type',
  schema: 'public',
  table: 'leads',
  column: 'source',
  newColumn: 'source_id',
  newType: 'integer',
  forward: "CASE {{old}} WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END",
  reverse: "CASE {{new}} WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END",
};

describe('change-type: the SQL each phase runs', () => {
  it.each<{ name: string; input: OperationSpec; phase: Phase; expectedSql: string }>([
    {
      name: 'preflight',
      input: retype,
      phase: 'preflight',
      expectedSql: `-- preflight/01-unconvertible_values (ACCESS SHARE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
DO $ec$
DECLARE
  found bigint;
BEGIN
  PERFORM set_config('row_security', 'off', true);
  EXECUTE 'SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE t."source" IS NOT NULL AND (CASE t."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END) IS NULL' INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION 'preflight check failed: % row(s): %', found, 'Rows whose source the forward mapping cannot convert (it gives NULL): must be 0 before expand, or those values would be lost';
  END IF;
END
$ec$;
COMMIT;

-- preflight/02-round_trip (ACCESS SHARE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
DO $ec$
DECLARE
  found bigint;
BEGIN
  PERFORM set_config('row_security', 'off', true);
  EXECUTE 'SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE t."source" IS NOT NULL AND (CASE (CASE t."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END) WHEN 1 THEN ''web'' WHEN 2 THEN ''ads'' END) IS DISTINCT FROM t."source"' INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION 'preflight check failed: % row(s): %', found, 'Rows that would not survive forward then reverse mapping: old code would read back a different source';
  END IF;
END
$ec$;
COMMIT;`,
    },
    {
      name: 'expand',
      input: retype,
      phase: 'expand',
      expectedSql: `-- expand/01-add_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "source_id" integer;
COMMIT;

-- expand/02-sync_function (NONE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE FUNCTION "public"."ec_sync_leads_source_source_id"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW."source_id" IS NULL AND NEW."source" IS NOT NULL THEN
      NEW."source_id" := (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END);
    ELSIF NEW."source_id" IS NOT NULL AND (NEW."source_id" IS DISTINCT FROM (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL OR NEW."source" IS DISTINCT FROM (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))) THEN
      NEW."source" := (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END);
    END IF;
  ELSIF (NEW."source_id" IS DISTINCT FROM (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL OR NEW."source" IS DISTINCT FROM (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))) THEN
    -- Reached only through the new-write trigger: the new column changed, and it wins.
    NEW."source" := (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END);
  END IF;
  RETURN NEW;
END
$ec$;
CREATE OR REPLACE FUNCTION "public"."ec_sync_old_leads_source_source_id"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  -- Reached only through the old-write trigger: the old column changed and the new one did not, or the new one is still NULL.
  IF (NEW."source_id" IS DISTINCT FROM (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL OR NEW."source" IS DISTINCT FROM (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))) THEN
    NEW."source_id" := (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END);
  END IF;
  RETURN NEW;
END
$ec$;
COMMIT;

-- expand/03-sync_trigger (SHARE ROW EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
CREATE OR REPLACE TRIGGER "ec_sync_ins_leads_source_source_id" BEFORE INSERT ON "public"."leads"
FOR EACH ROW EXECUTE FUNCTION "public"."ec_sync_leads_source_source_id"();
CREATE OR REPLACE TRIGGER "ec_sync_new_leads_source_source_id" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NEW."source_id" IS DISTINCT FROM OLD."source_id") EXECUTE FUNCTION "public"."ec_sync_leads_source_source_id"();
CREATE OR REPLACE TRIGGER "ec_sync_old_leads_source_source_id" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NOT (NEW."source_id" IS DISTINCT FROM OLD."source_id") AND (NEW."source" IS DISTINCT FROM OLD."source" OR (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL))) EXECUTE FUNCTION "public"."ec_sync_old_leads_source_source_id"();
COMMIT;

-- expand/04-not_null_check (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"public"."leads"'::regclass AND conname = 'ec_nn_leads_source_id') THEN
    ALTER TABLE "public"."leads" ADD CONSTRAINT "ec_nn_leads_source_id" CHECK ("source_id" IS NOT NULL) NOT VALID;
  END IF;
END
$ec$;
COMMIT;`,
    },
    {
      name: 'backfill',
      input: retype,
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
      EXECUTE 'UPDATE "public"."leads" AS t SET "source_id" = (CASE t."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END)
WHERE (t."id") <= ($1::bigint) AND ((t."source_id" IS DISTINCT FROM (CASE t."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN ''web'' WHEN 2 THEN ''ads'' END))))' USING edge.last_key[1];
    ELSE
      EXECUTE 'UPDATE "public"."leads" AS t SET "source_id" = (CASE t."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END)
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND ((t."source_id" IS DISTINCT FROM (CASE t."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN ''web'' WHEN 2 THEN ''ads'' END))))' USING last_key[1], edge.last_key[1];
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
      name: 'contract',
      input: retype,
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
WHERE tgrelid = ''"public"."leads"''::regclass AND tgenabled IN (''O'', ''A'') AND tgname IN (''ec_sync_ins_leads_source_source_id'', ''ec_sync_new_leads_source_source_id'', ''ec_sync_old_leads_source_source_id'')' INTO found;
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
  EXECUTE 'SELECT count(*)::bigint AS count FROM (SELECT 1 FROM "public"."leads" AS t WHERE ((t."source_id" IS DISTINCT FROM (CASE t."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN ''web'' WHEN 2 THEN ''ads'' END)))) OR (t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN ''web'' WHEN 2 THEN ''ads'' END)) LIMIT 1000) AS differing' INTO found;
  IF found > 0 THEN
    RAISE EXCEPTION 'contract check failed: % row(s): %', found, 'Rows whose source and source_id disagree, or whose old value does not read back from the new one: must be 0, or those old values would go with the drop (run backfill and verify again)';
  END IF;
END
$ec$;
COMMIT;

-- contract/03-archive_old_values (ACCESS SHARE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
CREATE TABLE IF NOT EXISTS "public"."ec_archive_leads_source" (
  "id" bigint NOT NULL,
  "source" text,
  archived_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("id")
);
-- Not for API clients: with RLS on and no policy, only the owner reads it (Supabase grants new tables in public to anon).
ALTER TABLE "public"."ec_archive_leads_source" ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON "public"."ec_archive_leads_source" FROM PUBLIC;
INSERT /* expand-contract */ INTO "public"."ec_archive_leads_source" ("id", "source")
SELECT "id", "source" FROM "public"."leads"
ON CONFLICT ("id") DO UPDATE SET "source" = EXCLUDED."source", archived_at = now();
COMMIT;

-- contract/04-validate_not_null (SHARE UPDATE EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '1h';
DO $ec$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"public"."leads"'::regclass AND conname = 'ec_nn_leads_source_id') THEN
    ALTER TABLE "public"."leads" VALIDATE CONSTRAINT "ec_nn_leads_source_id";
  END IF;
END
$ec$;
COMMIT;

-- contract/05-drop_old_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  IF (SELECT count(*) FROM pg_trigger WHERE tgrelid = '"public"."leads"'::regclass AND tgenabled IN ('O', 'A')
        AND tgname IN ('ec_sync_ins_leads_source_source_id', 'ec_sync_new_leads_source_source_id', 'ec_sync_old_leads_source_source_id')) < 3 THEN
    RAISE EXCEPTION 'the sync triggers on % are missing or disabled: writes may have bypassed them; run backfill and verify again', '"public"."leads"';
  END IF;
END
$ec$;
DROP TRIGGER IF EXISTS "ec_sync_ins_leads_source_source_id" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_new_leads_source_source_id" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_old_leads_source_source_id" ON "public"."leads";
DROP FUNCTION IF EXISTS "public"."ec_sync_leads_source_source_id"();
DROP FUNCTION IF EXISTS "public"."ec_sync_old_leads_source_source_id"();
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "source";
ALTER TABLE "public"."leads" ALTER COLUMN "source_id" SET NOT NULL;
ALTER TABLE "public"."leads" DROP CONSTRAINT IF EXISTS "ec_nn_leads_source_id";
ALTER TABLE "public"."leads" ALTER COLUMN "source_id" SET DEFAULT (CASE ('web'::text) WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END);
COMMIT;`,
    },
    {
      name: 'rollback',
      input: retype,
      phase: 'rollback',
      expectedSql: `-- rollback/01-drop_new_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
DO $ec$
BEGIN
  -- After a contract the new column holds the only copy of the data: dropping it is never a rollback.
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '"public"."leads"'::regclass AND attname = 'source' AND NOT attisdropped) THEN
    RAISE EXCEPTION 'column % is gone (the contract ran): use restore, not rollback', 'source';
  END IF;
END
$ec$;
DROP TRIGGER IF EXISTS "ec_sync_ins_leads_source_source_id" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_new_leads_source_source_id" ON "public"."leads";
DROP TRIGGER IF EXISTS "ec_sync_old_leads_source_source_id" ON "public"."leads";
DROP FUNCTION IF EXISTS "public"."ec_sync_leads_source_source_id"();
DROP FUNCTION IF EXISTS "public"."ec_sync_old_leads_source_source_id"();
ALTER TABLE "public"."leads" DROP COLUMN IF EXISTS "source_id";
COMMIT;`,
    },
    {
      name: 'restore',
      input: retype,
      phase: 'restore',
      expectedSql: `-- restore/01-re_add_old_column (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "source" text;
ALTER TABLE "public"."leads" ALTER COLUMN "source" SET DEFAULT 'web'::text;
ALTER TABLE "public"."leads" ALTER COLUMN "source_id" DROP DEFAULT;
CREATE OR REPLACE FUNCTION "public"."ec_sync_leads_source_source_id"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW."source_id" IS NULL AND NEW."source" IS NOT NULL THEN
      NEW."source_id" := (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END);
    ELSIF NEW."source_id" IS NOT NULL AND (NEW."source_id" IS DISTINCT FROM (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL OR NEW."source" IS DISTINCT FROM (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))) THEN
      NEW."source" := (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END);
    END IF;
  ELSIF (NEW."source_id" IS DISTINCT FROM (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL OR NEW."source" IS DISTINCT FROM (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))) THEN
    -- Reached only through the new-write trigger: the new column changed, and it wins.
    NEW."source" := (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END);
  END IF;
  RETURN NEW;
END
$ec$;
CREATE OR REPLACE FUNCTION "public"."ec_sync_old_leads_source_source_id"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$
BEGIN
  -- Reached only through the old-write trigger: the old column changed and the new one did not, or the new one is still NULL.
  IF (NEW."source_id" IS DISTINCT FROM (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL OR NEW."source" IS DISTINCT FROM (CASE NEW."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))) THEN
    NEW."source_id" := (CASE NEW."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END);
  END IF;
  RETURN NEW;
END
$ec$;
CREATE OR REPLACE TRIGGER "ec_sync_ins_leads_source_source_id" BEFORE INSERT ON "public"."leads"
FOR EACH ROW EXECUTE FUNCTION "public"."ec_sync_leads_source_source_id"();
CREATE OR REPLACE TRIGGER "ec_sync_new_leads_source_source_id" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NEW."source_id" IS DISTINCT FROM OLD."source_id") EXECUTE FUNCTION "public"."ec_sync_leads_source_source_id"();
CREATE OR REPLACE TRIGGER "ec_sync_old_leads_source_source_id" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NOT (NEW."source_id" IS DISTINCT FROM OLD."source_id") AND (NEW."source" IS DISTINCT FROM OLD."source" OR (NEW."source_id" IS NULL AND NEW."source" IS NOT NULL))) EXECUTE FUNCTION "public"."ec_sync_old_leads_source_source_id"();
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
      EXECUTE 'UPDATE "public"."leads" AS t SET "source" = coalesce((SELECT a."source" FROM "public"."ec_archive_leads_source" AS a WHERE t."id" = a."id" AND t."source_id" IS NOT DISTINCT FROM (CASE a."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END)), (CASE t."source_id" WHEN 1 THEN ''web'' WHEN 2 THEN ''ads'' END))
WHERE (t."id") <= ($1::bigint) AND (t."source" IS NULL AND t."source_id" IS NOT NULL)' USING edge.last_key[1];
    ELSE
      EXECUTE 'UPDATE "public"."leads" AS t SET "source" = coalesce((SELECT a."source" FROM "public"."ec_archive_leads_source" AS a WHERE t."id" = a."id" AND t."source_id" IS NOT DISTINCT FROM (CASE a."source" WHEN ''web'' THEN 1 WHEN ''ads'' THEN 2 END)), (CASE t."source_id" WHEN 1 THEN ''web'' WHEN 2 THEN ''ads'' END))
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."source" IS NULL AND t."source_id" IS NOT NULL)' USING last_key[1], edge.last_key[1];
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
      name: 'retype',
      input: retype,
      expectedSql: {
        parity: {
          countSql: `SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE (t."source_id" IS DISTINCT FROM (CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)))`,
          predicate: `(t."source_id" IS DISTINCT FROM (CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)))`,
          roundTrip: {
            predicate: `t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)`,
            oldText: 't."source"::text',
            becomesText: `(CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)::text`,
          },
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
          firstUpdateSql: `UPDATE "public"."leads" AS t SET "source_id" = (CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END)
WHERE (t."id") <= ($1::bigint) AND ((t."source_id" IS DISTINCT FROM (CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))))`,
          updateSql: `UPDATE "public"."leads" AS t SET "source_id" = (CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END)
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND ((t."source_id" IS DISTINCT FROM (CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))))`,
          remainingSql: `SELECT count(*)::bigint AS count FROM "public"."leads" AS t WHERE (t."source_id" IS DISTINCT FROM (CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)))`,
        },
      },
    },
  ])('verify and backfill batches, $name', ({ input, expectedSql }) => {
    const { parity, backfill } = planOperation(input, demoSnapshot);
    expect({ parity, backfill }).toEqual(expectedSql);
  });
});

describe('change-type: what it tells the rest of the product', () => {
  const op = operationFor(retype);

  it('retires the old column; its type and both mappings are SQL, each with its own placeholder', () => {
    expect(op.legacyColumn(retype)).toEqual({ schema: 'public', table: 'leads', column: 'source' });
    expect(op.sqlFields(retype)).toEqual([
      { field: 'type', text: 'integer', kind: 'type', placeholders: [] },
      { field: 'forward', text: "CASE {{old}} WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END", kind: 'expression', placeholders: ['old'], required: 'old' },
      { field: 'reverse', text: "CASE {{new}} WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END", kind: 'expression', placeholders: ['new'], required: 'new' },
    ]);
  });

  it('type-checks each mapping against the other column', () => {
    expect(op.typeProbes(retype, leadsTable)).toEqual([
      {
        field: 'forward',
        expression: "CASE {{old}} WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END",
        select: `((CASE t."source" WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END))::integer`,
      },
      {
        field: 'reverse',
        expression: "CASE {{new}} WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END",
        select: `((CASE (NULL::integer) WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END))::text`,
      },
    ]);
    expect(op.typeProbes({ ...retype, column: 'gone' } as typeof retype, leadsTable)).toEqual([]);
  });

  // A phase applied with `supabase db push` counts only when the catalog shows it.
  it.each<{ phase: FilePhase; expected: unknown }>([
    { phase: 'expand', expected: { schema: 'public', table: 'leads', present: ['source', 'source_id'], absent: [], notNull: [] } },
    { phase: 'contract', expected: { schema: 'public', table: 'leads', present: [], absent: ['source'], notNull: [] } },
    { phase: 'rollback', expected: { schema: 'public', table: 'leads', present: ['source'], absent: ['source_id'], notNull: [] } },
    { phase: 'restore', expected: { schema: 'public', table: 'leads', present: ['source', 'source_id'], absent: [], notNull: [] } },
  ])('after $phase the catalog shows', ({ phase, expected }) => {
    expect(op.catalogAfter(retype, phase)).toEqual(expected);
  });

  it('is offered on the command line in the words it is planned with', () => {
    expect(op.form?.fields.map((f) => f.name)).toEqual(['newColumn', 'newType', 'forward', 'reverse']);
    expect(op.cli?.command).toBe('change-type');
    expect(op.cli?.words(retype)).toEqual([
      'integer',
      '--new-column',
      'source_id',
      '--forward',
      "CASE {{old}} WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END",
      '--reverse',
      "CASE {{new}} WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END",
    ]);
  });
});
