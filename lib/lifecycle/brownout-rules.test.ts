import { describe, expect, it } from 'vitest';
import { brownoutSeconds } from './brownout-rules';

describe('how long a brownout lasts', () => {
  it.each([
    [5, 300],
    [0.1, 6],
    [5 / 60, 5],
    [60, 3600],
    [0.5, 30],
  ])('%s minutes is %i seconds', (minutes, seconds) => expect(brownoutSeconds(minutes)).toEqual({ ok: true, seconds }));

  it.each([0, 0.05, 60.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s minutes, saying the bounds', (minutes) =>
    expect(brownoutSeconds(minutes)).toEqual({ ok: false, reason: 'a brownout lasts from 5 seconds to 60 minutes' }),
  );
});
