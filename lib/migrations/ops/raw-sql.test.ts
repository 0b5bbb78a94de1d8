import { describe, expect, it } from 'vitest';
import { operationFor } from '../operations';
import { planOperation } from '../plan-operation';
import { demoSnapshot, phaseSql } from '../../../tests/helpers/test-fixtures';
import type { OperationSpec, Phase, Plan } from '../types';

// Linted SQL with warnings only: one statement that must run outside a transaction block, and one that may run inside.
const concurrently: OperationSpec = {
  kind: 'raw-sql',
  name: 'add index',
  sql: 'CREATE INDEX CONCURRENTLY leads_source_idx ON leads (source);\n',
  lint: [{ rule: 'require-lock-timeout', severity: 'warning', message: 'set a lock_timeout' }],
};
const inTransaction: OperationSpec = { kind: 'raw-sql', name: 'comment', sql: "COMMENT ON TABLE leads IS 'sales leads';", lint: [] };

describe('raw-sql: the SQL each phase runs', () => {
  it.each<{ name: string; input: OperationSpec; phase: Phase; expectedSql: string }>([
    { name: 'preflight, concurrently', input: concurrently, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand, concurrently',
      input: concurrently,
      phase: 'expand',
      expectedSql: `-- expand/01-run (ACCESS EXCLUSIVE)
SET lock_timeout = '1s';
SET statement_timeout = '5s';
CREATE INDEX CONCURRENTLY leads_source_idx ON leads (source);
RESET lock_timeout;
RESET statement_timeout;`,
    },
    { name: 'backfill, concurrently', input: concurrently, phase: 'backfill', expectedSql: '' },
    { name: 'contract, concurrently', input: concurrently, phase: 'contract', expectedSql: '' },
    { name: 'rollback, concurrently', input: concurrently, phase: 'rollback', expectedSql: '' },
    { name: 'restore, concurrently', input: concurrently, phase: 'restore', expectedSql: '' },
    { name: 'preflight, inTransaction', input: inTransaction, phase: 'preflight', expectedSql: '' },
    {
      name: 'expand, inTransaction',
      input: inTransaction,
      phase: 'expand',
      expectedSql: `-- expand/01-run (ACCESS EXCLUSIVE)
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '5s';
COMMENT ON TABLE leads IS 'sales leads';
COMMIT;`,
    },
    { name: 'backfill, inTransaction', input: inTransaction, phase: 'backfill', expectedSql: '' },
    { name: 'contract, inTransaction', input: inTransaction, phase: 'contract', expectedSql: '' },
    { name: 'rollback, inTransaction', input: inTransaction, phase: 'rollback', expectedSql: '' },
    { name: 'restore, inTransaction', input: inTransaction, phase: 'restore', expectedSql: '' },
  ])('$name', ({ input, phase, expectedSql }) => {
    expect(phaseSql(planOperation(input, demoSnapshot), phase)).toBe(expectedSql);
  });

  it.each<{ name: string; input: OperationSpec; expectedSql: Pick<Plan, 'parity' | 'backfill'> }>([
    {
      name: 'concurrently',
      input: concurrently,
      expectedSql: {
        parity: null,
        backfill: null,
      },
    },
    {
      name: 'inTransaction',
      input: inTransaction,
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

describe('raw-sql: what it tells the rest of the product', () => {
  const op = operationFor(concurrently);

  it('names no column, has no catalog to check, and is not offered by the form or the plan command', () => {
    expect(op.legacyColumn(concurrently)).toBeNull();
    expect(op.sqlFields(concurrently)).toEqual([]);
    expect(op.catalogAfter(concurrently, 'expand')).toBeNull();
    expect(op.form).toBeNull();
    expect(op.cli).toBeNull();
  });

  it('is linted before it is planned, once', () => {
    const unlinted = { kind: 'raw-sql', name: 'x', sql: 'SELECT 1' } as const;
    expect(op.lint?.unlinted(unlinted)).toBe('SELECT 1');
    expect(op.lint?.unlinted(concurrently)).toBeNull();
    expect(op.lint?.withFindings(unlinted, [])).toEqual({ ...unlinted, lint: [] });
  });
});
