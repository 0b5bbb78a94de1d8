import { describe, expect, it } from 'vitest';
import { parseServiceList } from './service-list';

describe('parseServiceList', () => {
  it('reads names separated by commas, trimmed, each once; nothing means every service', () => {
    expect(parseServiceList(' web, api ,web,,  ')).toEqual(['web', 'api']);
    expect(parseServiceList('checkout service')).toEqual(['checkout service']);
    expect(parseServiceList('')).toBeNull();
    expect(parseServiceList(' , ,')).toBeNull();
  });

  it('refuses names no service could report under, and too many', () => {
    expect(() => parseServiceList(`web, ${'x'.repeat(101)}`)).toThrow('a service name is longer than 100 characters');
    expect(() => parseServiceList('web, bad\u0007name')).toThrow('must not contain control characters');
    expect(() => parseServiceList(Array.from({ length: 51 }, (_, i) => `s${i}`).join(','))).toThrow('at most 50 services');
  });
});
