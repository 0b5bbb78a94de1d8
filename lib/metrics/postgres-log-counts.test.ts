import { describe, expect, it } from 'vitest';
import { countLogErrors } from './postgres-log-counts';

const filter = { database: 'demo', ownApplicationPrefix: 'expand-contract' };
const line = (over: object) =>
  JSON.stringify({
    timestamp: '2026-11-24 10:00:01.123 UTC',
    user: 'app',
    dbname: 'demo',
    pid: 1,
    error_severity: 'ERROR',
    state_code: '42703',
    message: 'column "user_email" does not exist',
    application_name: 'web',
    ...over,
  });

describe('countLogErrors', () => {
  it('counts errors of the target database per minute and SQLSTATE', () => {
    const chunk =
      [
        line({}),
        line({ timestamp: '2026-11-24 10:00:59.999 UTC' }),
        line({ timestamp: '2026-11-24 10:01:00.000 UTC' }),
        line({ state_code: '23505' }),
        line({ error_severity: 'FATAL', state_code: '28P01' }),
      ].join('\n') + '\n';
    const { counts, consumedBytes, lines } = countLogErrors(chunk, filter);
    expect(lines).toBe(5);
    expect(consumedBytes).toBe(Buffer.byteLength(chunk));
    expect(counts).toEqual([
      { minute: new Date('2026-11-24T10:00:00Z'), sqlstate: '42703', errors: 2 },
      { minute: new Date('2026-11-24T10:01:00Z'), sqlstate: '42703', errors: 1 },
      { minute: new Date('2026-11-24T10:00:00Z'), sqlstate: '23505', errors: 1 },
      { minute: new Date('2026-11-24T10:00:00Z'), sqlstate: '28P01', errors: 1 },
    ]);
  });

  it('skips other databases, the product own sessions, and messages that are not errors', () => {
    const chunk =
      [
        line({ dbname: 'dashboard' }),
        line({ application_name: 'expand-contract-worker', state_code: '55P03' }),
        line({ error_severity: 'LOG', state_code: '00000' }),
        line({ error_severity: 'WARNING', state_code: '01000' }),
      ].join('\n') + '\n';
    expect(countLogErrors(chunk, filter).counts).toEqual([]);
  });

  it('leaves a line still being written for the next read, counting nothing twice', () => {
    const first = `${line({})}\n${line({}).slice(0, 40)}`;
    const a = countLogErrors(first, filter);
    expect(a.counts).toEqual([{ minute: new Date('2026-11-24T10:00:00Z'), sqlstate: '42703', errors: 1 }]);
    expect(a.consumedBytes).toBe(Buffer.byteLength(line({})) + 1);
    const rest = first.slice(a.consumedBytes) + line({}).slice(40) + '\n';
    expect(countLogErrors(rest, filter).counts[0]!.errors).toBe(1);
  });

  it('counts unreadable lines instead of failing on them', () => {
    const r = countLogErrors(`not json\n${line({ timestamp: 'yesterday' })}\n${line({})}\n`, filter);
    expect(r.unreadable).toBe(2);
    expect(r.counts).toHaveLength(1);
  });
});
