import { describe, expect, it } from 'vitest';
import { formatRate, rateAxis } from './rate-axis';

const labels = (rates: (number | null)[], baseline: number | null = null) => {
  const axis = rateAxis(rates, baseline);
  return axis.ticks.map((t) => formatRate(t, axis.decimals));
};

describe('rateAxis: the error-rate axis fits the data', () => {
  it('draws a 0.3% rate on a top just above it, never on 0–400%', () => {
    const axis = rateAxis([0.003, 0.0028, null, 0.0031], 0.003);
    expect(axis.max).toBeGreaterThanOrEqual(0.0031);
    expect(axis.max).toBeLessThanOrEqual(0.0031 * 2);
    expect(labels([0.003, 0.0028, null, 0.0031], 0.003)).toEqual(['0.0%', '0.1%', '0.2%', '0.3%', '0.4%']);
  });

  it('gives a flat 0% a 1% top, so "no errors" reads as a line on the floor', () => {
    expect(rateAxis([0, 0, null], 0)).toMatchObject({ max: 0.01 });
    expect(labels([0, null], null)).toEqual(['0.00%', '0.25%', '0.50%', '0.75%', '1.00%']);
  });

  it('fits a regression far above the baseline, and the baseline when it is the highest', () => {
    const high = rateAxis([0.02, 0.37], 0.01);
    expect(high.max).toBeGreaterThanOrEqual(0.37);
    expect(high.max).toBeLessThan(0.37 * 2);
    expect(rateAxis([0.001], 0.05).max).toBeGreaterThanOrEqual(0.05);
  });

  it('never labels two ticks the same, at any scale', () => {
    for (const top of [0.00013, 0.0007, 0.0031, 0.004, 0.012, 0.025, 0.09, 0.3, 0.99, 1]) {
      const l = labels([top]);
      expect(new Set(l).size, `${top}: ${l.join(' ')}`).toBe(l.length);
      expect(rateAxis([top], null).ticks.at(-1)).toBeGreaterThanOrEqual(top);
    }
  });
});
