import { describe, expect, it } from 'vitest';
import { preflightChecklist, type PreflightFacts } from './preflight-checklist';

const now = new Date('2026-11-24T12:00:00Z');
const facts = (over: Partial<PreflightFacts> = {}): PreflightFacts => ({
  rollbackSteps: 3,
  rollbackRan: false,
  expandFindings: [],
  table: { rows: 1_000_000, bytes: 120 * 1024 * 1024 },
  measuredRowsPerSecond: 200_000,
  locks: [{ lock: 'ACCESS EXCLUSIVE', steps: 2 }, { lock: 'SHARE UPDATE EXCLUSIVE', steps: 1 }],
  schedule: { expandAt: new Date('2026-11-30T10:00:00Z'), deployAt: new Date('2026-11-30T14:00:00Z'), contractAt: new Date('2026-12-04T10:00:00Z') },
  samplerCoverage: 0.99,
  reportingServices: ['web'],
  namedServices: null,
  ...over,
});

describe('preflightChecklist', () => {
  it('answers all five with evidence when everything is in place', () => {
    const items = preflightChecklist(facts(), now);
    expect(items.map((i) => i.answer)).toEqual(['yes', 'yes', 'yes', 'yes', 'yes']);
    expect(items[2]!.evidence).toBe('~1,000,000 rows, 120.0 MB; backfill about 5 s at the measured 200,000 rows/s; locks: ACCESS EXCLUSIVE ×2, SHARE UPDATE EXCLUSIVE ×1');
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

  it('says what it does not know yet', () => {
    const items = preflightChecklist(facts({ measuredRowsPerSecond: null, table: { rows: null, bytes: 0 }, samplerCoverage: null, reportingServices: [] }), now);
    expect(items[2]!.evidence).toContain('row count unknown until ANALYZE');
    expect(items[2]!.evidence).toContain('backfill time unknown until a backfill has run on this target');
    expect(items[4]!.evidence).toBe('the pg_stat_statements sampler has never run on this target; no service reports error rates (POST /api/v1/metrics)');
  });

  it('names a service named for the migration that does not report (a typo, a missing token)', () => {
    const items = preflightChecklist(facts({ namedServices: ['web', 'chekout'], reportingServices: ['web', 'checkout'] }), now);
    expect(items[4]!.evidence).toContain('named for this migration but silent in the last day: chekout (reporting: web, checkout)');
    expect(preflightChecklist(facts({ namedServices: ['web'] }), now)[4]!.evidence).toContain('error rates from web, the services named for this migration');
  });
});
