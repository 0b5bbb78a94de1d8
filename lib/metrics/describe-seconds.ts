import { formatDuration, intervalToDuration } from 'date-fns';

/** "850 ms", "12 seconds", "3 minutes 5 seconds": one wording for waits, ETAs and ages everywhere. */
export function describeSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return formatDuration(intervalToDuration({ start: 0, end: Math.round(seconds) * 1000 })) || '0 seconds';
}
