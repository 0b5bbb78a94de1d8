import type { ClientBase, Pool } from 'pg';
import { describeUrl } from '../db/connection-url';
import { introspectSchema } from '../db/introspect-schema';
import { planOperation } from '../migrations/plan-operation';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec } from '../migrations/types';
import { atLocal, weekStart } from '../timeline/team-week';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Seed {
  spec: OperationSpec;
  /** Offsets count from last week's Monday 00:00 UTC, or from 30 hours ago (the one still in monitoring). */
  base?: 'last-monday' | 'recent';
  status: string;
  /** Phases as [phase, offset from the week's Monday in hours, duration in minutes]. */
  runs: [string, number, number][];
  deployedAt?: number;
  approvals: ['plan' | 'contract', string][];
}

/**
 * A week of realistic history on first start of the embedded demo, so the timeline and the
 * charts mean something at once: a rename contracted last Friday, a type change rolled back,
 * a NOT NULL in monitoring with its gate closed, an added column scheduled. Written to the
 * state database only (marked seeded); the demo target is not touched.
 */
/** The gate's conditions as the person on call approved them, in the words the gate uses: the summary shows them frozen. */
function seededEvidence(spec: OperationSpec): { name: string; met: boolean; detail: string }[] {
  const column = 'column' in spec ? `${spec.table}.${spec.column}` : 'table' in spec ? spec.table : 'the old column';
  return [
    { name: 'backfill', met: true, detail: 'backfill done' },
    { name: 'parity', met: true, detail: '0 of 20,000 rows differ (verify)' },
    { name: 'buffer', met: true, detail: '3.8 days since the deploy (at least 2 required)' },
    { name: 'legacy-reads', met: true, detail: `0 reads and 0 writes of ${column} since the deploy, sampled 100.0% of the time` },
    { name: 'error-rate', met: true, detail: 'no regression after expand or backfill (demo-web, the Postgres log)' },
    { name: 'approval', met: true, detail: 'approved by the person on call on this evidence' },
  ];
}

export async function seedDemoHistory(state: Pool, target: ClientBase, targetUrl: string, now = new Date()): Promise<number> {
  const { rows } = await state.query<{ n: number }>('SELECT count(*)::int AS n FROM expand_contract.migrations');
  if (rows[0]!.n > 0) return 0;
  const snapshot = await introspectSchema(target, ['public']);
  const users = await state.query<{ id: string; email: string }>('SELECT id, email FROM expand_contract.users');
  const id = (email: string) => users.rows.find((u) => u.email === email)?.id ?? null;
  const lastMonday = new Date(weekStart(now, 'UTC').getTime() - 7 * DAY);
  const thisMonday = weekStart(now, 'UTC');
  const seeds: Seed[] = [
    {
      spec: { kind: 'rename-column', schema: 'public', table: 'users', column: 'display_name', newName: 'full_name' },
      status: 'contracted',
      runs: [
        ['expand', 10, 1],
        ['backfill', 10.05, 2],
        ['verify', 10.2, 1],
        ['contract', 4 * 24 + 10, 1],
      ],
      deployedAt: 14,
      approvals: [
        ['plan', 'reviewer@demo.local'],
        ['contract', 'oncall@demo.local'],
      ],
    },
    {
      spec: {
        kind: 'change-type',
        schema: 'public',
        table: 'orders',
        column: 'amount_cents',
        newColumn: 'amount_cents_big',
        newType: 'bigint',
        forward: '{{old}}::bigint',
        reverse: '{{new}}::integer',
      },
      status: 'rolled_back',
      runs: [
        ['expand', 24 + 10, 1],
        ['backfill', 24 + 10.1, 3],
        ['rollback', 24 + 15, 1],
      ],
      approvals: [['plan', 'reviewer@demo.local']],
    },
    {
      spec: { kind: 'set-not-null', schema: 'public', table: 'users', column: 'verified', fill: 'false' },
      status: 'backfilled',
      base: 'recent',
      runs: [
        ['expand', 0, 1],
        ['backfill', 0.05, 2],
        ['verify', 1, 1],
      ],
      deployedAt: 4,
      approvals: [['plan', 'oncall@demo.local']],
    },
    {
      spec: { kind: 'add-column', schema: 'public', table: 'users', column: 'plan', type: 'text', notNull: true, default: "'free'" },
      status: 'planned',
      runs: [],
      approvals: [],
    },
  ];
  let count = 0;
  for (const seed of seeds) {
    const plan = planOperation(seed.spec, snapshot, DEFAULT_PLAN_OPTIONS);
    const origin = seed.base === 'recent' ? now.getTime() - 30 * HOUR : lastMonday.getTime();
    const at = (hours: number) => new Date(origin + hours * HOUR);
    const createdAt = seed.runs.length ? new Date(at(seed.runs[0]![1]).getTime() - 3 * DAY) : new Date(now.getTime() - DAY);
    // The schedule the team planned: the first run's week, or next week for the scheduled one.
    const monday = seed.runs.length ? weekStart(at(seed.runs[0]![1]), 'UTC') : new Date(thisMonday.getTime() + 7 * DAY);
    const schedule = {
      expandAt: atLocal(monday, 'UTC', 0, 10),
      deployAt: atLocal(monday, 'UTC', 0, 14),
      monitorFrom: atLocal(monday, 'UTC', 1, 0),
      contractAt: atLocal(monday, 'UTC', 4, 10),
    };
    const { rows: inserted } = await state.query(
      `INSERT INTO expand_contract.migrations (plan_id, slug, title, spec, plan, target, status, author_id, created_by, created_at, updated_at, schedule, deployed_at, deployed_by, seeded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'author@demo.local', $9, $9, $10, $11, $12, true) RETURNING id`,
      [
        plan.id,
        plan.slug,
        plan.title,
        JSON.stringify(seed.spec),
        JSON.stringify(plan),
        describeUrl(targetUrl),
        seed.status,
        id('author@demo.local'),
        createdAt,
        JSON.stringify(schedule),
        seed.deployedAt !== undefined ? at(seed.deployedAt) : null,
        seed.deployedAt !== undefined ? 'author@demo.local' : null,
      ],
    );
    const mid = Number(inserted[0].id);
    for (const [phase, hours, minutes] of seed.runs) {
      await state.query(
        "INSERT INTO expand_contract.phase_runs (migration_id, phase, status, source, actor, started_at, finished_at) VALUES ($1, $2, 'succeeded', 'executor', 'seeded', $3, $4)",
        [mid, phase, at(hours), new Date(at(hours).getTime() + minutes * 60_000)],
      );
      await state.query(
        "INSERT INTO expand_contract.audit_log (at, actor, action, migration_id, detail) VALUES ($1, 'author@demo.local', 'phase.succeeded', $2, $3)",
        [new Date(at(hours).getTime() + minutes * 60_000), mid, JSON.stringify({ phase, seeded: true })],
      );
      if (phase === 'backfill') {
        await state.query(
          "INSERT INTO expand_contract.backfills (migration_id, status, rows_scanned, rows_changed, batches, batch_size, estimated_total, rows_per_second, started_at, updated_at, finished_at) VALUES ($1, 'done', 20000, 20000, 4, 5000, 20000, 150000, $2, $3, $3)",
          [mid, at(hours), new Date(at(hours).getTime() + minutes * 60_000)],
        );
      }
      if (phase === 'verify')
        await state.query(
          'INSERT INTO expand_contract.parity_checks (migration_id, mismatched, rows_checked, duration_ms, checked_at) VALUES ($1, 0, 20000, 40, $2)',
          [mid, at(hours)],
        );
    }
    for (const [kind, email] of seed.approvals) {
      const contractRun = seed.runs.find((r) => r[0] === 'contract');
      const when = kind === 'plan' ? new Date(createdAt.getTime() + 2 * HOUR) : at((contractRun?.[1] ?? 0) - 1);
      // Checked by the same trigger as live approvals: the demo's on-call person, not the author, at that time.
      await state.query(
        "INSERT INTO expand_contract.approvals (migration_id, kind, approver_id, evidence, evidence_fingerprint, note, created_at) VALUES ($1, $2, $3, $4, $5, 'seeded', $6)",
        [mid, kind, id(email), kind === 'contract' ? JSON.stringify(seededEvidence(seed.spec)) : null, kind === 'contract' ? 'seeded' : null, when],
      );
      await state.query('INSERT INTO expand_contract.audit_log (at, actor, action, migration_id, detail) VALUES ($1, $2, $3, $4, $5)', [
        when,
        email,
        `${kind}.approved`,
        mid,
        '{"seeded": true}',
      ]);
    }
    count += 1;
  }
  // A week of the demo service's minutes, ending an hour ago (live traffic takes over from there): ~0.3% errors,
  // with the rolled-back change's spike of 42703 the day it was rolled back.
  await state.query(
    `INSERT INTO expand_contract.metric_minutes (source, service, minute, version, sqlstate, requests, errors)
     SELECT 'app', 'demo-web', m, 'v1', '', 1200, (CASE WHEN extract(minute FROM m)::int % 7 = 0 THEN 4 ELSE 3 END)
       FROM generate_series(date_trunc('minute', $1::timestamptz - interval '7 days'), date_trunc('minute', $1::timestamptz - interval '1 hour'), interval '1 minute') m
     ON CONFLICT DO NOTHING`,
    [now],
  );
  await state.query(
    `INSERT INTO expand_contract.metric_minutes (source, service, minute, version, sqlstate, requests, errors)
     SELECT 'app', 'demo-web', m, 'v1', '42703', 0, 60
       FROM generate_series($1::timestamptz, $1::timestamptz + interval '20 minutes', interval '1 minute') m
     ON CONFLICT DO NOTHING`,
    [new Date(lastMonday.getTime() + 24 * HOUR + 14.5 * HOUR)],
  );
  return count;
}
