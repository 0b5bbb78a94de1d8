import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount } from './format';

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 kB'],
    [36_411_071, '35 MB'],
    [5 * 1024 ** 3, '5.0 GB'],
  ])('formatBytes(%d) = %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('groups thousands', () => {
    expect(formatCount(100000)).toBe('100,000');
  });
});
