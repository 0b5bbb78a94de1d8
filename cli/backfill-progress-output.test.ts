import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BackfillRecord } from '../lib/state/records';
import { backfillProgressOutput, progressLine } from './backfill-progress-output';

const backfill = (over: Partial<BackfillRecord> = {}): BackfillRecord => ({
  migrationId: 1,
  status: 'running',
  requested: null,
  cursor: null,
  rowsScanned: 4200,
  rowsChanged: 4200,
  batches: 3,
  batchSize: 2000,
  estimatedTotal: 10000,
  lastBatchMs: 90,
  worstBatchMs: 120,
  rowsPerSecond: 21000,
  error: null,
  startedAt: new Date(0),
  updatedAt: new Date(0),
  finishedAt: null,
  tableRows: null,
  ...over,
});

function stream(tty: boolean) {
  const s = new PassThrough() as PassThrough & {
    isTTY: boolean;
    columns: number;
    cursorTo: () => boolean;
    clearLine: () => boolean;
    moveCursor: () => boolean;
  };
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  Object.assign(s, { isTTY: tty, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { s: s as unknown as NodeJS.WriteStream, text: () => text };
}

describe('backfill progress on the command line', () => {
  it('says the numbers in one line, and no percentage while the table size is unknown (no "?" placeholders)', () => {
    expect(progressLine(backfill())).toMatch(/^ 42\.0% {2}4,200 \/ 10,000 rows {2}21,000 rows\/s {2}batch 2000 {2}ETA /);
    const unknown = progressLine(backfill({ estimatedTotal: null }));
    expect(unknown).toMatch(/^4,200 rows {2}21,000 rows\/s {2}batch 2000$/);
    expect(unknown).not.toContain('?');
  });

  it('off a terminal, writes plain lines at most once a second: no bar glyphs, no carriage returns', () => {
    const { s, text } = stream(false);
    const out = backfillProgressOutput(s);
    out.update(backfill({ estimatedTotal: null }));
    out.update(backfill({ rowsScanned: 5000 }));
    out.stop();
    expect(text()).toBe('4,200 rows  21,000 rows/s  batch 2000\n');
    expect(text()).not.toMatch(/[\r?#[]/);
  });

  it('on a terminal, draws a bar that fills with the rows done', () => {
    const { s, text } = stream(true);
    const out = backfillProgressOutput(s);
    out.update(backfill({ rowsScanned: 5000 }));
    out.stop();
    expect(text()).toMatch(/\[#{14}\.{14}\] {2}50\.0% {2}5,000 \/ 10,000 rows/);
  });
});
