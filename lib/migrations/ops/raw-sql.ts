import { UnsafeRawSqlError } from '../errors';
import { fingerprint, slugify } from '../names';
import type { Operation } from '../operation';
import { phaseSteps } from '../steps';
import type { OperationSpec } from '../types';

type Spec = Extract<OperationSpec, { kind: 'raw-sql' }>;

/**
 * SQL written by hand, run as one transaction with the usual timeouts, and only when the
 * linter ran on it and found nothing that breaks running code.
 */
export const rawSql: Operation<Spec> = {
  kind: 'raw-sql',
  describe: (s) => ({ id: `raw-sql.${slugify(s.name)}.${fingerprint(s.sql)}`, slug: slugify(s.name), title: `Run SQL: ${s.name}` }),
  target: () => null,
  validate(spec) {
    if (!spec.lint) return [new UnsafeRawSqlError([{ rule: 'not-linted', message: 'raw SQL must be linted before it is planned' }])];
    const blocking = spec.lint.filter((f) => f.severity === 'error');
    return blocking.length ? [new UnsafeRawSqlError(blocking)] : [];
  },
  preflight: () => [],
  expand: (ctx) =>
    phaseSteps(ctx.planId, 'expand', [
      // The lock it takes is not known without running it, so it is planned as the strongest.
      {
        slug: 'run',
        description: `Run the reviewed SQL (${ctx.spec.name})`,
        sql: ctx.spec.sql.trim().replace(/;\s*$/, ''),
        lock: 'ACCESS EXCLUSIVE',
        timeouts: ctx.options.ddlTimeouts,
        // CONCURRENTLY refuses to run inside a transaction block.
        transactional: !/\bCONCURRENTLY\b/i.test(ctx.spec.sql),
      },
    ]),
  backfill: () => ({ spec: null, steps: [] }),
  verify: () => null,
  contract: () => [],
  rollback: () => [],
  restore: () => [],
  notes: () => ['Raw SQL has no generated rollback: write one and review it with the change.'],
  // What it changes is not known without running it: no column to watch, no catalog to check.
  legacyColumn: () => null,
  sqlFields: () => [],
  typeProbes: () => [],
  catalogAfter: () => null,
  // Pasted into the linter instead; and the linter has nothing safer to suggest for it.
  form: null,
  cli: null,
  lint: { unlinted: (s) => (s.lint ? null : s.sql), withFindings: (s, lint) => ({ ...s, lint }) },
};
