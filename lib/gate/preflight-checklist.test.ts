import { describe, expect, it } from 'vitest';
import { preflightChecklist, type PreflightFacts } from './preflight-checklist';

const now = new Date('2026-11-24T12:00:00Z');
const facts = (over: Partial<PreflightFacts> = {}): PreflightFacts => ({
  rollbackSteps: 3,
  rollbackRan: false,
  expandFindings: [],
  table: { rows: 1_000_000, bytes: 120 * 1024 * 1024 },
  measuredRowsPerSecond: 200_000,
  locks: [
    { lock: 'ACCESS EXCLUSIVE', steps: 2 },
    { lock: 'SHARE UPDATE EXCLUSIVE', steps: 1 },
  ],
  schedule: { expandAt: new Date('2026-11-30T10:00:00Z'), deployAt: new Date('2026-11-30T14:00:00Z'), contractAt: new Date('2026-12-04T10:00:00Z') },
  ran: { expand: null, contract: null },
  samplerCoverage: 0.99,
  reportingServices: ['web'],
  namedServices: null,
  rowAccess: {
    table: { schema: 'public', name: 'orders' },
    role: 'postgres',
    owner: 'postgres',
    rlsEnabled: true,
    rlsForced: false,
    roleIsOwner: true,
    bypassRls: true,
    superuser: false,
  },
  readsRows: true,
  ...over,
});

describe('preflightChecklist', () => {
  it('answers all six with evidence when everything is in place', () => {
    const items = preflightChecklist(facts(), now);
    expect(items.map((i) => i.answer)).toEqual(['yes', 'yes', 'yes', 'yes', 'yes', 'yes']);
    expect(items[2]!.evidence).toBe(
      '~1,000,000 rows, 120.0 MB; backfill about 5 s at the measured 200,000 rows/s; locks: ACCESS EXCLUSIVE ×2, SHARE UPDATE EXCLUSIVE ×1',
    );
    expect(items[3]!.evidence).toContain('(3.8 days after the deploy)');
  });

  it.each([
    [{ rollbackSteps: 0 }, 0, 'no'],
    [{ expandFindings: ['RENAME COLUMN breaks old code'] }, 1, 'no'],
    [{ table: null }, 2, 'unknown'],
    [{ schedule: null }, 3, 'unknown'],
    [{ samplerCoverage: null }, 4, 'no'],
    [{ samplerCoverage: 0.5 }, 4, 'no'],
    [{ reportingServices: [] }, 4, 'no'],
    [{ namedServices: ['web'] }, 4, 'yes'],
    [{ namedServices: ['web', 'api'] }, 4, 'no'],
  ])('%j → question %i is %s', (over, index, answer) => {
    expect(preflightChecklist(facts(over), now)[index]!.answer).toBe(answer);
  });

  it('recommends pg_stat_statements.track = all where a server counts only top-level statements', () => {
    const item = preflightChecklist(facts({ trackNotAll: [{ server: 'replica r1:5432/app', track: 'top' }] }), now)[4]!;
    expect(item.evidence).toContain(
      'pg_stat_statements.track = top on replica r1:5432/app: statements inside functions and DO blocks are not counted; set it to all',
    );
    expect(preflightChecklist(facts({ trackNotAll: [] }), now)[4]!.evidence).not.toContain('track');
  });

  it('says when the phases ran once they have, instead of a planned date now past', () => {
    const expandRan = new Date('2026-11-24T10:02:00Z');
    const afterExpand = preflightChecklist(facts({ ran: { expand: expandRan, contract: null } }), now)[3]!;
    expect(afterExpand).toEqual({
      question: 'Is there a window?',
      answer: 'yes',
      evidence: 'expand ran 2026-11-24 10:02 UTC; contract planned 2026-12-04 10:00 UTC',
    });
    const done = preflightChecklist(facts({ ran: { expand: expandRan, contract: new Date('2026-11-24T11:40:00Z') } }), now)[3]!;
    expect(done.evidence).toBe('expand ran 2026-11-24 10:02 UTC, contract ran 2026-11-24 11:40 UTC');
    expect(done.evidence).not.toContain('2026-11-30');
  });

  it('says what it does not know yet', () => {
    const items = preflightChecklist(
      facts({ measuredRowsPerSecond: null, table: { rows: null, bytes: 0 }, samplerCoverage: null, reportingServices: [] }),
      now,
    );
    expect(items[2]!.evidence).toContain('row count unknown until ANALYZE');
    expect(items[2]!.evidence).toContain('backfill time unknown until a backfill has run on this target');
    expect(items[4]!.evidence).toBe('the pg_stat_statements sampler has never run on this target; no service reports error rates (POST /api/v1/metrics)');
  });

  it('names a service named for the migration that does not report (a typo, a missing token)', () => {
    const items = preflightChecklist(facts({ namedServices: ['web', 'chekout'], reportingServices: ['web', 'checkout'] }), now);
    expect(items[4]!.evidence).toContain('named for this migration but silent in the last day: chekout (reporting: web, checkout)');
    expect(preflightChecklist(facts({ namedServices: ['web'] }), now)[4]!.evidence).toContain('error rates from web, the services named for this migration');
  });

  const owner = {
    table: { schema: 'public', name: 'orders' },
    role: 'app_owner',
    owner: 'app_owner',
    rlsEnabled: true,
    rlsForced: true,
    roleIsOwner: true,
    bypassRls: false,
    superuser: false,
  };
  it.each([
    [
      'FORCE RLS on the owner, no BYPASSRLS',
      { rowAccess: owner },
      'no',
      "public.orders has FORCE ROW LEVEL SECURITY and app_owner, its owner, has no BYPASSRLS: its policies may hide rows from the backfill, the parity check and the contract's archive",
    ],
    [
      'RLS, and the role is not the owner',
      { rowAccess: { ...owner, rlsForced: false, roleIsOwner: false, owner: 'postgres' } },
      'no',
      'public.orders has row-level security and app_owner neither owns it (postgres does) nor has BYPASSRLS',
    ],
    [
      'the owner, RLS not forced',
      { rowAccess: { ...owner, rlsForced: false } },
      'yes',
      'app_owner reads every row: app_owner owns public.orders, and its row-level security is not forced on the owner',
    ],
    ['BYPASSRLS', { rowAccess: { ...owner, bypassRls: true } }, 'yes', 'app_owner reads every row: app_owner has BYPASSRLS'],
    [
      'no RLS at all',
      { rowAccess: { ...owner, rlsEnabled: false, roleIsOwner: false } },
      'yes',
      'app_owner reads every row: public.orders has no row-level security',
    ],
    ['a plan that reads no rows', { rowAccess: owner, readsRows: false }, 'yes', 'the plan reads no rows'],
    ['raw SQL', { rowAccess: null }, 'unknown', 'no single table to check'],
  ])('row access: %s → %s', (_name, over, answer, evidence) => {
    const item = preflightChecklist(facts(over as Partial<PreflightFacts>), now)[5]!;
    expect(item).toMatchObject({ question: 'Can it read every row?', answer });
    expect(item.evidence).toContain(evidence);
  });

  it('names the fix where it refuses', () => {
    expect(preflightChecklist(facts({ rowAccess: owner }), now)[5]!.evidence).toContain(
      'run the migration as a role with BYPASSRLS (Supabase\'s postgres role has it), or ALTER TABLE "public"."orders" NO FORCE ROW LEVEL SECURITY until the contract is done',
    );
  });
});
