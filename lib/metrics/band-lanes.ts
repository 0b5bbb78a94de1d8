/**
 * Where the phases' shaded bands and their labels go on a chart `width` pixels wide. A band is
 * never narrower than `minWidth`, so a one-minute expand on a week's axis is still seen. Labels
 * sit in rows above the chart: each goes on the first row where it clears the labels already
 * there, and one that clears none of the rows gets no label (the phases' legend names it). A long
 * band's label sits in its middle.
 */
export interface Band {
  phase: string;
  from: number;
  to: number;
}

export interface PlacedBand<B extends Band = Band> {
  band: B;
  /** Pixels from the plot's left edge. */
  left: number;
  width: number;
  /** The label's row above the chart (0 nearest the top); null: no room, named only in the legend. */
  row: number | null;
  labelLeft: number;
  labelWidth: number;
}

export interface LaneOptions {
  from: number;
  to: number;
  width: number;
  minWidth?: number;
  rows?: number;
  /** Width of a label in pixels; an estimate on the high side keeps labels apart. */
  labelWidth?: (label: string) => number;
  /** Room kept between two labels on a row. */
  gap?: number;
}

export const estimateLabelWidth = (label: string) => label.length * 6.5 + 8;

export function placeBands<B extends Band>(bands: readonly B[], options: LaneOptions): PlacedBand<B>[] {
  const { from, to, width, minWidth = 4, rows = 3, labelWidth = estimateLabelWidth, gap = 4 } = options;
  const span = Math.max(1, to - from);
  const x = (t: number) => ((t - from) / span) * width;
  const rowEnds: number[] = Array.from({ length: rows }, () => -Infinity);
  const placed = [...bands]
    .filter((b) => b.to >= from && b.from <= to)
    .sort((a, b) => a.from - b.from || a.to - b.to)
    .map((band) => {
      let left = Math.max(0, x(band.from));
      let right = Math.min(width, x(band.to));
      if (right - left < minWidth) {
        right = Math.min(width, left + minWidth);
        left = Math.max(0, right - minWidth);
      }
      const w = Math.min(width, labelWidth(band.phase));
      // A band three labels wide is seen on its own: its label goes in its middle, clear of the short phases at its start.
      const wanted = right - left >= 3 * w ? left + (right - left - w) / 2 : left;
      return { band, left, width: right - left, row: null as number | null, labelLeft: Math.max(0, Math.min(wanted, width - w)), labelWidth: w };
    });
  // Rows are filled from the left, so a label only ever has to clear the one before it on its row.
  for (const p of [...placed].sort((a, b) => a.labelLeft - b.labelLeft)) {
    const row = rowEnds.findIndex((end) => end + gap <= p.labelLeft);
    if (row >= 0) {
      rowEnds[row] = p.labelLeft + p.labelWidth;
      p.row = row;
    }
  }
  return placed;
}

/** How many label rows the placed bands use (at least one, so the chart does not jump as phases come). */
export const rowsUsed = (placed: readonly PlacedBand[]) => Math.max(1, ...placed.map((p) => (p.row ?? -1) + 1));
