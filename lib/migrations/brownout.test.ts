import { describe, expect, it } from 'vitest';
import { demoSnapshot } from '../../tests/helpers/test-fixtures';
import { brownoutHiddenName, brownoutSpec, brownoutSql, brownoutTimerSql } from './brownout';
import { byteLength } from './quote';
import { planOperation } from './plan-operation';
import { syncFunctionSql } from './sync-trigger';
import type { OperationSpec } from './types';

const plan = (spec: OperationSpec) => planOperation(spec, demoSnapshot);
const rename = plan({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' });

describe('a brownout rehearses the drop of the column old code uses', () => {
  it('a rename: the old column renamed out of reach, and the sync functions follow it there and back', () => {
    const spec = rename.brownout!;
    expect(spec).toMatchObject({ table: { schema: 'public', name: 'leads' }, column: 'user_email', hiddenName: 'ec_brownout_leads_user_email' });
    const sql = brownoutSql(spec);
    expect(sql.start).toBe(
      `ALTER TABLE "public"."leads" RENAME COLUMN "user_email" TO "ec_brownout_leads_user_email";\n${syncFunctionSql({ ...spec.sync!, oldColumn: 'ec_brownout_leads_user_email' })}`,
    );
    expect(sql.revert).toBe(`ALTER TABLE "public"."leads" RENAME COLUMN "ec_brownout_leads_user_email" TO "user_email";\n${syncFunctionSql(spec.sync!)}`);
    // While browned out, the functions write the hidden column and never name the old one (it does not exist then).
    const browned = sql.start.split(';\n').slice(1).join(';\n');
    expect(browned).toContain('NEW."ec_brownout_leads_user_email"');
    expect(browned).not.toContain('NEW."user_email"');
    // Back: exactly the functions the expand created.
    expect(rename.steps.find((s) => s.id.endsWith('expand/02-sync_function'))!.sql).toBe(syncFunctionSql(spec.sync!));
  });

  it('a drop: the rename alone, since no trigger names the column', () => {
    const drop = plan({ kind: 'drop-column', schema: 'public', table: 'leads', column: 'user_email' });
    expect(drop.brownout!.sync).toBeNull();
    const sql = brownoutSql(drop.brownout!);
    expect(sql.start).toBe('ALTER TABLE "public"."leads" RENAME COLUMN "user_email" TO "ec_brownout_leads_user_email"');
    expect(sql.revert).toBe('ALTER TABLE "public"."leads" RENAME COLUMN "ec_brownout_leads_user_email" TO "user_email"');
    expect(sql.lockSql).toBe('LOCK TABLE "public"."leads" IN ACCESS EXCLUSIVE MODE');
  });

  it('a change that drops no column old code uses has nothing to rehearse', () => {
    expect(plan({ kind: 'set-not-null', schema: 'public', table: 'memberships', column: 'role', fill: "'member'" }).brownout).toBeNull();
  });

  it('tells the column under its name, hidden, or missing, from the catalog', () => {
    const { stateSql } = brownoutSql(rename.brownout!);
    expect(stateSql).toBe(
      `SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = '"public"."leads"'::regclass AND attname = 'user_email' AND attnum > 0 AND NOT attisdropped) THEN 'normal' WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = '"public"."leads"'::regclass AND attname = 'ec_brownout_leads_user_email' AND attnum > 0 AND NOT attisdropped) THEN 'hidden' ELSE 'missing' END AS state`,
    );
  });

  it('quotes hostile names everywhere, and keeps hidden names within 63 bytes and apart', () => {
    const spec = brownoutSpec({ schema: 'we"ird', name: "t'$$x" }, 'Col"$$', null);
    const sql = brownoutSql(spec);
    expect(sql.start).toBe(`ALTER TABLE "we""ird"."t'$$x" RENAME COLUMN "Col""$$" TO "${spec.hiddenName.replace(/"/g, '""')}"`);
    expect(sql.stateSql).toContain(`'"we""ird"."t''$$x"'::regclass`);
    const long = 'a'.repeat(60);
    const one = brownoutHiddenName(long, `${long}_1`);
    const two = brownoutHiddenName(long, `${long}_2`);
    expect(byteLength(one)).toBeLessThanOrEqual(63);
    expect(one).not.toBe(two);
  });
});

describe('the database-side timer', () => {
  const timeouts = { lockTimeout: '1s', statementTimeout: '5s' };

  it('is one DO statement: waits for the rename, sleeps its time from then on the server clock, committing, then reverts under the timeouts if still hidden', () => {
    const sql = brownoutTimerSql(rename.brownout!, 300, timeouts);
    expect(sql.startsWith('DO $ec_timer$')).toBe(true);
    expect(sql.endsWith('$ec_timer$')).toBe(true);
    // A rename that never comes (refused, or its process died first) ends the timer: nothing to guard.
    expect(sql).toContain('renamed_by timestamptz := clock_timestamp() + make_interval(secs => 15);');
    expect(sql).toMatch(/WHILE \(CASE .*\) <> 'hidden' LOOP\n    IF clock_timestamp\(\) > renamed_by THEN\n      RETURN;/);
    // The time counts from the rename it saw, not from its own start.
    expect(sql.indexOf('ends := clock_timestamp() + make_interval(secs => 300);')).toBeGreaterThan(sql.indexOf('renamed_by THEN'));
    expect(sql).toContain('COMMIT;');
    expect(sql).toContain("set_config('lock_timeout', '1s', true)");
    expect(sql).toContain("set_config('statement_timeout', '5s', true)");
    expect(sql).toContain('EXCEPTION WHEN lock_not_available THEN');
    expect(sql).toContain(`= 'hidden' THEN\n        EXECUTE 'ALTER TABLE "public"."leads" RENAME COLUMN "ec_brownout_leads_user_email" TO "user_email";`);
  });

  it('picks a dollar-quote tag the body cannot end', () => {
    const spec = brownoutSpec({ schema: 'public', name: 'x$ec_timer$y' }, 'c', null);
    const sql = brownoutTimerSql(spec, 10, timeouts);
    const tag = sql.match(/^DO (\$[a-z_0-9]*\$)/)![1]!;
    expect(tag).not.toBe('$ec_timer$');
    expect(sql.slice(3 + tag.length, -tag.length)).not.toContain(tag);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s seconds', (seconds) => {
    expect(() => brownoutTimerSql(rename.brownout!, seconds, timeouts)).toThrow(RangeError);
  });
});
