import { describe, expect, it } from 'vitest';
import { evaluateGate } from './evaluate-gate';

const now = new Date('2026-11-27T10:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('contract gate', () => {
  it('opens when the backfill is done and a fresh parity check found nothing', () => {
    const d = evaluateGate({ now, backfill: { required: true, done: true }, parity: { required: true, latest: { mismatched: 0, checkedAt: minutesAgo(5) } } });
    expect(d).toEqual({
      allowed: true,
      reasons: [],
      conditions: [
        { name: 'backfill', met: true, detail: 'backfill complete' },
        { name: 'parity', met: true, detail: '0 rows differ' },
      ],
    });
  });

  it.each([
    [{ required: true, done: false }, { mismatched: 0, checkedAt: minutesAgo(1) }, ['the backfill has not finished']],
    [{ required: true, done: true }, null, ['no parity check yet: run verify']],
    [{ required: true, done: true }, { mismatched: 3, checkedAt: minutesAgo(1) }, ['3 row(s) differ between old and new column']],
    [{ required: true, done: true }, { mismatched: 0, checkedAt: minutesAgo(61) }, ['the last parity check is too old: run verify again']],
  ])('stays closed with reasons: %j %j', (backfill, latest, reasons) => {
    const d = evaluateGate({ now, backfill, parity: { required: true, latest } });
    expect(d.allowed).toBe(false);
    expect(d.reasons).toEqual(reasons);
  });

  it('has nothing to wait for when the change needs neither backfill nor parity (a drop)', () => {
    expect(evaluateGate({ now, backfill: { required: false, done: false }, parity: { required: false, latest: null } }).allowed).toBe(true);
  });
});
