/**
 * The error-rate axis, fitted to the data: its top a round step above the highest rate (or the
 * baseline), so a 0.3% rate is drawn on 0–0.4%, never on 0–400%; at least 1% when every rate is 0,
 * so a flat line reads as "no errors" rather than as noise. Ticks are labelled with as many decimals
 * as their step needs, so no two ticks read the same.
 */
export interface RateAxis {
  max: number;
  ticks: number[];
  /** How many decimals a percentage on this axis needs. */
  decimals: number;
}

const STEPS = [1, 2, 2.5, 5, 10];

export function rateAxis(rates: readonly (number | null)[], baseline: number | null): RateAxis {
  const highest = Math.max(0, baseline ?? 0, ...rates.map((r) => r ?? 0));
  if (highest === 0) return { max: 0.01, ticks: [0, 0.0025, 0.005, 0.0075, 0.01], decimals: 2 };
  // Four intervals, each a round step (1, 2, 2.5 or 5 times a power of ten), with room above the highest point.
  const rough = (highest * 1.1) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = STEPS.map((s) => s * power).find((s) => s >= rough) ?? 10 * power;
  const intervals = Math.ceil((highest * 1.1) / step);
  const ticks = Array.from({ length: intervals + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  // As few decimals as show every tick exactly: 0.25% needs two, 5% none.
  const exact = (d: number) => ticks.every((t) => Math.abs(Number((t * 100).toFixed(d)) - t * 100) < 1e-9);
  const decimals = [0, 1, 2, 3, 4].find(exact) ?? 4;
  return { max: ticks.at(-1)!, ticks, decimals };
}

export const formatRate = (value: number, decimals: number) => `${(value * 100).toFixed(decimals)}%`;
