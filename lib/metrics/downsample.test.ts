import { describe, expect, it } from 'vitest';
import { downsample } from './downsample';

const MIN = 60_000;

describe('downsample', () => {
  it('keeps minutes as they are when they fit', () => {
    const points = [0, 1, 2].map((i) => ({ t: i * MIN, requests: 10, errors: i }));
    expect(downsample(points, ['requests', 'errors'], 0, 3 * MIN, 2000)).toEqual(points);
  });

  it('turns 30 days of minutes into at most 2,000 buckets and keeps every count', () => {
    const days = 30;
    const points = Array.from({ length: days * 1440 }, (_, i) => ({ t: i * MIN, requests: 100, errors: i % 100 === 0 ? 5 : 0 }));
    const out = downsample(points, ['requests', 'errors'], 0, days * 1440 * MIN, 2000);
    expect(out.length).toBeLessThanOrEqual(2000);
    expect(out.length).toBeGreaterThan(1000);
    expect(out.reduce((n, b) => n + b.requests, 0)).toBe(100 * days * 1440);
    expect(out.reduce((n, b) => n + b.errors, 0)).toBe((5 * (days * 1440)) / 100);
    expect(out[1]!.t - out[0]!.t).toBe(22 * MIN); // whole minutes per bucket
  });

  it('drops points outside the window', () => {
    expect(
      downsample(
        [
          { t: -MIN, n: 1 },
          { t: 0, n: 2 },
          { t: 10 * MIN, n: 3 },
        ],
        ['n'],
        0,
        10 * MIN,
        100,
      ),
    ).toEqual([{ t: 0, n: 2 }]);
  });
});
