import { describe, expect, it } from 'vitest';
import { dateTimeFormat } from './date-time-format';

describe('a reused date format', () => {
  const at = new Date('2026-03-29T01:30:00Z'); // the night Europe/Berlin moves to summer time
  const options = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' } as const;

  it('formats exactly as toLocaleString does, in each zone', () => {
    for (const timeZone of ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns']) {
      expect(dateTimeFormat('en-GB', { ...options, timeZone }).format(at)).toBe(at.toLocaleString('en-GB', { ...options, timeZone }));
    }
  });

  it('is made once per locale, zone and options', () => {
    expect(dateTimeFormat('en-GB', { ...options, timeZone: 'Europe/Berlin' })).toBe(dateTimeFormat('en-GB', { ...options, timeZone: 'Europe/Berlin' }));
    expect(dateTimeFormat('en-GB', { ...options, timeZone: 'Europe/Berlin' })).not.toBe(dateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }));
  });
});
