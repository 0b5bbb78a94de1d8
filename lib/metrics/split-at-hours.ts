const HOUR = 3_600_000;

export interface HourSplit {
  /** Whole UTC hours inside the window, [from, to), or null when none fits. */
  hours: [Date, Date] | null;
  /** The minutes before the first whole hour and after the last (or the whole window when no hour fits). */
  minutes: [Date, Date][];
}

/**
 * [from, to) as the whole hours inside it and the minutes at its edges, which together cover it
 * exactly once: a sum over a day-long window reads ~24 hourly rollups and at most 118 minutes a
 * series, not 1,440 minutes.
 */
export function splitAtHours(from: Date, to: Date): HourSplit {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return { hours: null, minutes: [] };
  const firstHour = Math.ceil(a / HOUR) * HOUR;
  const lastHour = Math.floor(b / HOUR) * HOUR;
  if (firstHour >= lastHour) return { hours: null, minutes: [[from, to]] };
  const minutes: [Date, Date][] = [];
  if (a < firstHour) minutes.push([from, new Date(firstHour)]);
  if (lastHour < b) minutes.push([new Date(lastHour), to]);
  return { hours: [new Date(firstHour), new Date(lastHour)], minutes };
}
