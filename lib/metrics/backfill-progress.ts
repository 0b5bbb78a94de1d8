export interface BackfillProgressInput {
  rowsScanned: number;
  estimatedTotal: number | null;
  rowsPerSecond: number | null;
  status: string;
}

export interface BackfillProgressView {
  done: number;
  /** Never below `done`: table statistics are estimates and the table grows while we work. */
  total: number | null;
  /** 0–100, or null when the size is unknown. */
  percent: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
}

export function backfillProgress(b: BackfillProgressInput): BackfillProgressView {
  const total = b.estimatedTotal === null ? null : Math.max(b.estimatedTotal, b.rowsScanned);
  const finished = b.status === 'done';
  const percent = finished ? 100 : total ? Math.min(99.9, (b.rowsScanned / total) * 100) : null;
  const remaining = total === null ? null : Math.max(0, total - b.rowsScanned);
  const eta = finished ? 0 : remaining !== null && b.rowsPerSecond && b.rowsPerSecond > 0 ? remaining / b.rowsPerSecond : null;
  return { done: b.rowsScanned, total: finished ? b.rowsScanned : total, percent, rowsPerSecond: b.rowsPerSecond, etaSeconds: eta };
}

/**
 * Next batch size from how long the last one took: towards the target duration, by at
 * most x1.5 up and x0.5 down per step (GitLab's optimiser grows +10%/shrinks -20%;
 * ours adapts faster because a batch is much cheaper to measure), within bounds.
 */
export function nextBatchSize(current: number, lastMs: number, targetMs: number, bounds: { min: number; max: number }): number {
  const factor = Math.min(1.5, Math.max(0.5, targetMs / Math.max(lastMs, 1)));
  return Math.round(Math.min(bounds.max, Math.max(bounds.min, current * factor)));
}
