/**
 * Sums a time series into at most `maxPoints` equal buckets over [from, to): a 30-day window
 * of minutes becomes ≤ 2,000 points a chart can draw, and counts stay counts (rates are
 * computed from the bucket's sums, never averaged).
 */
export function downsample<K extends string>(
  points: ({ t: number } & Record<K, number>)[],
  keys: readonly K[],
  from: number,
  to: number,
  maxPoints: number,
  /** Bucket width in ms, when the caller has chosen it (another series of the same chart); at most maxPoints apart otherwise. */
  bucket?: number,
): ({ t: number } & Record<K, number>)[] {
  const span = Math.max(1, to - from);
  const minute = 60_000;
  // Whole minutes per bucket, so buckets line up with the data's minutes.
  const width = bucket ?? Math.max(minute, Math.ceil(span / maxPoints / minute) * minute);
  const buckets = new Map<number, { t: number } & Record<K, number>>();
  for (const p of points) {
    if (p.t < from || p.t >= to) continue;
    const t = from + Math.floor((p.t - from) / width) * width;
    let b = buckets.get(t);
    if (!b) {
      b = { t, ...Object.fromEntries(keys.map((k) => [k, 0])) } as { t: number } & Record<K, number>;
      buckets.set(t, b);
    }
    for (const k of keys) (b as Record<K, number>)[k] += p[k];
  }
  return [...buckets.values()].sort((a, b) => a.t - b.t);
}
