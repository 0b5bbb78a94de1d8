import { SingleBar } from 'cli-progress';
import type { BackfillRecord } from '../lib/state/records';
import { backfillProgress } from '../lib/metrics/backfill-progress';
import { describeBackfillProgress } from '../lib/metrics/describe-backfill-progress';

/** A backfill's numbers on one line, without a bar: logs, status and the line under a terminal's bar. */
export function progressLine(b: BackfillRecord): string {
  const p = backfillProgress(b);
  const d = describeBackfillProgress(p, b);
  // No percentage while the table's size is unknown, rather than a placeholder.
  return [p.percent === null ? null : d.percent.padStart(6), d.rows, d.rate, `batch ${b.batchSize}`, d.eta].filter(Boolean).join('  ');
}

/** Where a running backfill's progress goes: `update` after every batch, `stop` once the phase ends (also on failure). */
export interface BackfillProgressOutput {
  update: (b: BackfillRecord) => void;
  stop: () => void;
}

/**
 * On a terminal, a redrawn bar (cli-progress) with the rows, rate and ETA after it; anywhere else
 * (CI logs, a pipe, --json's stderr) one plain line a second, without bar glyphs or carriage returns.
 * A table whose size is unknown shows its row count and no bar until the size is known.
 */
export function backfillProgressOutput(stream: NodeJS.WriteStream): BackfillProgressOutput {
  if (!stream.isTTY) {
    let lastPrint = 0;
    return {
      update: (b) => {
        if (Date.now() - lastPrint < 1000) return;
        lastPrint = Date.now();
        stream.write(`${progressLine(b)}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: '[{bar}] {line}',
    barsize: 28,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: true,
    clearOnComplete: false,
    // Redraws come from batches; no timer of its own keeps the process alive.
    noTTYOutput: false,
    fps: 10,
  });
  let started = false;
  return {
    update: (b) => {
      const percent = backfillProgress(b).percent ?? 0;
      if (!started) bar.start(100, percent, { line: progressLine(b) });
      else bar.update(percent, { line: progressLine(b) });
      started = true;
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
