import { describe, expect, it } from 'vitest';
import { ColumnAlreadyExistsError, ColumnDoesNotExistError, NoPrimaryKeyError, PlanValidationError, UnsafeRawSqlError } from './errors';
import { planOperation } from './plan-operation';
import { renderStep, supabaseMigration } from './render-sql';
import { demoSnapshot } from '../../tests/helpers/test-fixtures';
import type { OperationSpec } from './types';

const rename: OperationSpec = { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' };
const id = 'rename-column.public.leads.user_email.contact_email';

describe('rename plan for leads.user_email → contact_email', () => {
  const plan = planOperation(rename, demoSnapshot);

  it('has stable step ids, phases, lock levels and transaction modes', () => {
    expect(plan.steps.map((s) => [s.id.replace(`${id}/`, ''), s.lock, s.transactional, s.kind])).toEqual([
      ['expand/01-add_column', 'ACCESS EXCLUSIVE', true, 'sql'],
      ['expand/02-sync_function', 'NONE', true, 'sql'],
      ['expand/03-sync_trigger', 'SHARE ROW EXCLUSIVE', true, 'sql'],
      // Only after the trigger: from here on, old code's writes get the new column filled.
      ['expand/04-not_null_check', 'ACCESS EXCLUSIVE', true, 'sql'],
      ['backfill/01-copy_rows', 'ROW EXCLUSIVE', false, 'backfill'],
      ['backfill/02-clear_invalid_leads_user_email_idx', 'ACCESS EXCLUSIVE', true, 'sql'],
      ['backfill/03-index_leads_user_email_idx', 'SHARE UPDATE EXCLUSIVE', false, 'sql'],
      ['contract/01-sync_live', 'NONE', true, 'check'],
      ['contract/02-columns_agree', 'ACCESS SHARE', true, 'check'],
      ['contract/03-indexes_valid', 'NONE', true, 'check'],
      ['contract/04-archive_old_values', 'ACCESS SHARE', true, 'sql'],
      ['contract/05-validate_not_null', 'SHARE UPDATE EXCLUSIVE', true, 'sql'],
      ['contract/06-drop_old_column', 'ACCESS EXCLUSIVE', true, 'sql'],
      ['rollback/01-drop_new_column', 'ACCESS EXCLUSIVE', true, 'sql'],
      ['restore/01-re_add_old_column', 'ACCESS EXCLUSIVE', true, 'sql'],
      ['restore/02-fill_from_archive', 'ROW EXCLUSIVE', false, 'sql'],
    ]);
    expect(planOperation(rename, demoSnapshot)).toEqual(plan); // deterministic
  });

  it.each([
    { name: 'add column', step: 'expand/01-add_column', expectedSql: 'ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "contact_email" text' },
    {
      name: 'triggers cover INSERT and UPDATE; the UPDATE one fires only when either column changes',
      step: 'expand/03-sync_trigger',
      expectedSql: `CREATE OR REPLACE TRIGGER "ec_sync_ins_leads_user_email_contact_email" BEFORE INSERT ON "public"."leads"
FOR EACH ROW EXECUTE FUNCTION "public"."ec_sync_leads_user_email_contact_email"();
CREATE OR REPLACE TRIGGER "ec_sync_new_leads_user_email_contact_email" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NEW."contact_email" IS DISTINCT FROM OLD."contact_email") EXECUTE FUNCTION "public"."ec_sync_leads_user_email_contact_email"();
CREATE OR REPLACE TRIGGER "ec_sync_old_leads_user_email_contact_email" BEFORE UPDATE ON "public"."leads"
FOR EACH ROW WHEN (NOT (NEW."contact_email" IS DISTINCT FROM OLD."contact_email") AND (NEW."user_email" IS DISTINCT FROM OLD."user_email" OR (NEW."contact_email" IS NULL AND NEW."user_email" IS NOT NULL))) EXECUTE FUNCTION "public"."ec_sync_old_leads_user_email_contact_email"()`,
    },
    {
      name: 'index rebuilt concurrently on the new column',
      step: 'backfill/03-index_leads_user_email_idx',
      expectedSql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "ec_idx_leads_contact_email_e05ef2ad" ON "public"."leads" USING "btree" ("contact_email")',
    },
    {
      name: 'contract checks the trigger is live, then drops trigger, function and column in one transaction, NOT NULL via the validated check',
      step: 'contract/06-drop_old_column',
      expectedSql: `DO $ec$
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
ALTER TABLE "public"."leads" DROP CONSTRAINT IF EXISTS "ec_nn_leads_contact_email"`,
    },
  ])('$name', ({ step, expectedSql }) => {
    expect(plan.steps.find((s) => s.id === `${id}/${step}`)!.sql).toBe(expectedSql);
  });

  it('the sync function handles both directions and lets the new column win a conflict', () => {
    const fn = plan.steps.find((s) => s.id === `${id}/expand/02-sync_function`)!.sql;
    expect(fn).toContain(`IF TG_OP = 'INSERT' THEN
    IF NEW."contact_email" IS NULL AND NEW."user_email" IS NOT NULL THEN
      NEW."contact_email" := (NEW."user_email");
    ELSIF NEW."contact_email" IS NOT NULL AND NEW."contact_email" IS DISTINCT FROM (NEW."user_email") THEN
      NEW."user_email" := (NEW."contact_email");`);
    // Pinned like every generated function; a text column's operators are pg_catalog's.
    expect(fn).toContain('RETURNS trigger\nLANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $ec$');
    const retype = planOperation(
      {
        kind: 'change-type',
        schema: 'public',
        table: 'leads',
        column: 'source',
        newColumn: 'source_id',
        newType: 'int',
        forward: "CASE {{old}} WHEN 'web' THEN 1 END",
        reverse: "CASE {{new}} WHEN 1 THEN 'web' END",
      },
      demoSnapshot,
    );
    expect(retype.steps.find((s) => s.id.endsWith('sync_function'))!.sql).toContain('LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp');
  });

  it('backfills by keyset on the primary key, never by scanning for NULLs with LIMIT', () => {
    expect(plan.backfill!.edgeSql).toBe(`WITH edge AS (
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
) tail`);
    expect(plan.backfill!.updateSql).toBe(`UPDATE "public"."leads" AS t SET "contact_email" = (t."user_email")
WHERE (t."id") > ($1::bigint) AND (t."id") <= ($2::bigint) AND (t."contact_email" IS DISTINCT FROM (t."user_email"))`);
    for (const sql of [plan.backfill!.edgeSql, plan.backfill!.firstEdgeSql, plan.backfill!.updateSql, plan.backfill!.firstUpdateSql]) {
      expect(sql).not.toMatch(/IS NULL\s+LIMIT/);
    }
  });

  it('walks composite keys with a row comparison', () => {
    const composite = planOperation({ kind: 'rename-column', schema: 'public', table: 'memberships', column: 'role', newName: 'member_role' }, demoSnapshot);
    expect(composite.backfill!.edgeSql).toContain(
      'WHERE ("org_id", "user_id") > ($1::uuid, $2::bigint) ORDER BY "org_id", "user_id"\n  LIMIT 1 OFFSET $3::int - 1',
    );
    expect(composite.backfill!.updateSql).toContain(
      '(t."org_id", t."user_id") > ($1::uuid, $2::bigint) AND (t."org_id", t."user_id") <= ($3::uuid, $4::bigint)',
    );
    expect(composite.backfill!.firstUpdateSql).toContain('WHERE (t."org_id", t."user_id") <= ($1::uuid, $2::bigint) AND');
  });

  it('renders DDL steps with SET LOCAL timeouts inside their own transaction', () => {
    expect(renderStep(plan.steps[0]!)).toBe(`-- ${id}/expand/01-add_column
-- Add contact_email text beside user_email: nullable and without a default, so no table rewrite
-- lock: ACCESS EXCLUSIVE
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
ALTER TABLE "public"."leads" ADD COLUMN IF NOT EXISTS "contact_email" text;
COMMIT;`);
    const custom = planOperation(rename, demoSnapshot, {
      ...{ batchSize: 500, archiveRetentionDays: 7 },
      ddlTimeouts: { lockTimeout: '250ms', statementTimeout: '3s' },
      longTimeouts: { lockTimeout: '1s', statementTimeout: '2h' },
    });
    expect(renderStep(custom.steps[0]!)).toContain("SET LOCAL lock_timeout = '250ms';\nSET LOCAL statement_timeout = '3s';");
    expect(custom.steps.find((s) => s.kind === 'backfill')!.sql).toContain('USING 500');
  });

  it('exports one Supabase migration file per phase, named by version and phase', () => {
    const at = new Date('2026-11-23T10:00:00Z');
    expect(supabaseMigration(plan, 'expand', at).fileName).toBe('20261123100000_rename_leads_user_email_to_contact_email_expand.sql');
    const contract = supabaseMigration(plan, 'contract', new Date('2026-11-27T10:00:00Z'));
    expect(contract.fileName).toBe('20261127100000_rename_leads_user_email_to_contact_email_contract.sql');
    expect(contract.content).toContain('Destructive: apply only when the dashboard says the contract is allowed.');
    expect(contract.content).not.toContain('ADD COLUMN');
  });
});

describe('validation without a database', () => {
  const errorsOf = (spec: OperationSpec) => {
    try {
      planOperation(spec, demoSnapshot);
      return [];
    } catch (e) {
      return (e as PlanValidationError).errors;
    }
  };

  it('names the column that does not exist and the one already taken', () => {
    expect(errorsOf({ ...rename, column: 'mail' } as OperationSpec)).toEqual([expect.any(ColumnDoesNotExistError)]);
    expect(errorsOf({ ...rename, newName: 'source' } as OperationSpec)[0]).toBeInstanceOf(ColumnAlreadyExistsError);
  });

  it('requires a key for a NOT NULL column that needs a backfill', () => {
    const snapshot = { ...demoSnapshot, tables: [{ ...demoSnapshot.tables[0]!, primaryKey: [] }] };
    expect(() =>
      planOperation({ kind: 'add-column', schema: 'public', table: 'leads', column: 'x', type: 'text', notNull: true, backfill: "'a'" }, snapshot),
    ).toThrow(PlanValidationError);
    try {
      planOperation({ kind: 'add-column', schema: 'public', table: 'leads', column: 'x', type: 'text', notNull: true, backfill: "'a'" }, snapshot);
    } catch (e) {
      expect((e as PlanValidationError).errors[0]).toBeInstanceOf(NoPrimaryKeyError);
    }
  });

  it('plans raw SQL only after a lint without errors', () => {
    const raw = { kind: 'raw-sql', name: 'add index', sql: 'CREATE INDEX CONCURRENTLY i ON leads (source);' } as const;
    expect(errorsOf(raw)[0]).toBeInstanceOf(UnsafeRawSqlError);
    expect(errorsOf({ ...raw, lint: [{ rule: 'breaking-rename-column', severity: 'error', message: 'x' }] })[0]).toBeInstanceOf(UnsafeRawSqlError);
    const plan = planOperation({ ...raw, lint: [{ rule: 'require-lock-timeout', severity: 'warning', message: 'y' }] }, demoSnapshot);
    expect(plan.steps.map((s) => s.sql)).toEqual(['CREATE INDEX CONCURRENTLY i ON leads (source)']);
  });
});

describe('history versions', () => {
  it('use the clock, or one second after the latest when that is not later', async () => {
    const { versionAfter } = await import('./render-sql');
    expect(versionAfter('20261124100000', null)).toBe('20261124100000');
    expect(versionAfter('20261124100000', '20261124095959')).toBe('20261124100000');
    expect(versionAfter('20261124100000', '20261124100000')).toBe('20261124100001');
    expect(versionAfter('20261124100000', '20261231235959')).toBe('20270101000000');
  });
});

describe('parity checks', () => {
  const lowerStatus: OperationSpec = {
    kind: 'change-type',
    schema: 'public',
    table: 'leads',
    column: 'source',
    newColumn: 'source_id',
    newType: 'integer',
    forward: "CASE lower({{old}}) WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END",
    reverse: "CASE {{new}} WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END",
  };

  // A lossy forward mapping ('WEB' and 'web' both give 1) keeps new = forward(old), so only the round trip sees what the contract would lose.
  it.each([
    {
      name: 'a rename: identity, exact both ways, no round trip to check',
      input: rename,
      expectedSql: { predicate: 't."contact_email" IS DISTINCT FROM (t."user_email")', roundTrip: undefined },
    },
    {
      name: 'a type change with a reverse mapping: every row must read back its old value from the new column',
      input: lowerStatus,
      expectedSql: {
        predicate: `(t."source_id" IS DISTINCT FROM (CASE lower(t."source") WHEN 'web' THEN 1 WHEN 'ads' THEN 2 END) AND (t."source_id" IS NULL AND t."source" IS NOT NULL OR t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)))`,
        roundTrip: {
          predicate: `t."source" IS DISTINCT FROM (CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)`,
          oldText: 't."source"::text',
          becomesText: `(CASE t."source_id" WHEN 1 THEN 'web' WHEN 2 THEN 'ads' END)::text`,
        },
      },
    },
    {
      name: 'NOT NULL with a fill: the fill replaces NULLs by design and keeps every other value, nothing maps back',
      input: { kind: 'set-not-null', schema: 'public', table: 'memberships', column: 'role', fill: "'member'" } as OperationSpec,
      expectedSql: { predicate: 't."role" IS NULL', roundTrip: undefined },
    },
    {
      name: 'an added column: no old value exists to lose',
      input: { kind: 'add-column', schema: 'public', table: 'leads', column: 'plan', type: 'text', notNull: true, backfill: "'free'" } as OperationSpec,
      expectedSql: { predicate: 't."plan" IS NULL', roundTrip: undefined },
    },
  ])('$name', ({ input, expectedSql }) => {
    const parity = planOperation(input, demoSnapshot).parity!;
    expect({ predicate: parity.predicate, roundTrip: parity.roundTrip }).toEqual(expectedSql);
  });
});
