import { describe, expect, it } from 'vitest';
import { cookieSecure } from './cookie-secure';

describe('cookieSecure', () => {
  it.each([
    ['auto', null, undefined, false],
    ['auto', 'https', undefined, true],
    ['auto', 'HTTPS, http', undefined, true],
    ['auto', 'http', undefined, false],
    ['auto', null, 'https:', true],
    ['auto', null, 'http:', false],
    ['on', null, 'http:', true],
    ['off', 'https', 'https:', false],
  ] as const)('setting %s, x-forwarded-proto %s, url %s → %s', (setting, forwarded, protocol, secure) => {
    expect(cookieSecure(setting, forwarded, protocol)).toBe(secure);
  });
});
