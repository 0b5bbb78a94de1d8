import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

describe('safeNext', () => {
  it.each([
    ['/migrations/3?x=1#gate', '/migrations/3?x=1#gate'],
    ['/', '/'],
    ['/migrations', '/migrations'],
    ['/migrations/new', '/migrations/new'],
    ['/migrations/12/files/expand', '/migrations/12/files/expand'],
    ['/audit?actor=reviewer%40demo.local&migration=4&from=2026-11-01', '/audit?actor=reviewer%40demo.local&migration=4&from=2026-11-01'],
    ['/?week=2026-11-30', '/?week=2026-11-30'],
    ['/audit?action=plan.approved#audit-table', '/audit?action=plan.approved#audit-table'],
    // The query may carry anything: it never changes where the browser goes.
    ['/audit?next=https%3A%2F%2Fevil.example%2F', '/audit?next=https%3A%2F%2Fevil.example%2F'],
    ['/audit?q=//evil.example', '/audit?q=//evil.example'],
    // Normalised the way a browser does it, and still on this site.
    ['/migrations/./3', '/migrations/3'],
    ['/a/../migrations', '/migrations'],
    ['/http:evil.example', '/http:evil.example'],
    // Look-alikes of the slash, the dot and the backslash are only characters: escaped, on this site.
    ['/\uff0fevil.example', '/%EF%BC%8Fevil.example'],
    ['/\u2024/evil.example', '/%E2%80%A4/evil.example'],
    ['/\ufe68evil.example', '/%EF%B9%A8evil.example'],
  ])('keeps %j as %j', (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });

  it.each([
    // Leaves the site as written.
    ['https://evil.example/'],
    ['http:evil.example'],
    ['http:/evil.example'],
    ['//evil.example'],
    ['///evil.example'],
    ['////evil.example'],
    ['javascript:alert(1)'],
    ['evil.example'],
    ['\\\\evil.example'],
    ['\\/evil.example'],
    // ...or once normalised: dot segments, encoded dots in any case, `..` above the root.
    ['/.//evil.example/'],
    ['/%2e//evil.example/'],
    ['/%2E//evil.example/'],
    ['/%2e%2e//evil.example/'],
    ['/%2E%2e//evil.example/'],
    ['/a/..//evil.example/'],
    ['/a/%2e%2e//evil.example/'],
    ['/../../evil.example/..//evil.example'],
    // Backslashes, raw or encoded: browsers read them as slashes.
    ['/\\evil.example'],
    ['/\\\\evil.example'],
    ['/.\\/evil.example'],
    ['/%5cevil.example'],
    ['/%5Cevil.example'],
    ['/%2e%5c/evil.example'],
    // Encoded slashes, and double encoding for whatever decodes once more.
    ['/%2fevil.example'],
    ['/%2F%2Fevil.example'],
    ['/%252e//evil.example/'],
    ['/%252fevil.example'],
    ['/%25252fevil.example'],
    ['/%2'],
    // Tabs, newlines, carriage returns and NULs: browsers drop some of them, so `/\t/x` is `//x`.
    ['/\t/evil.example'],
    ['/\n/evil.example'],
    ['/\r\n/evil.example'],
    ['/%09/evil.example'],
    ['/%0a/evil.example'],
    ['/%0D%0A/evil.example'],
    ['/\u0000/evil.example'],
    ['/%00/evil.example'],
    ['/migrations\r\nSet-Cookie: x=1'],
    // Spaces of any kind, and invisible characters.
    ['/ /evil.example'],
    [' //evil.example'],
    ['/\u00a0/evil.example'],
    ['/\u3000/evil.example'],
    ['/\u200b/evil.example'],
    ['/\u202e/evil.example'],
    ['/\ufeff/evil.example'],
    // Look-alikes of the slash where a real one must come first.
    ['\uff0f\uff0fevil.example'],
    ['\u2215\u2215evil.example'],
    // Not a string at all.
    [''],
    [null],
    [undefined],
    [['/migrations']],
    [42],
  ])('turns %j into /', (input) => {
    expect(safeNext(input)).toBe('/');
  });

  it("turns a path too long to be one of this site's pages into /", () => {
    expect(safeNext(`/${'a'.repeat(5000)}`)).toBe('/');
    expect(safeNext(`/${'./'.repeat(3000)}/evil.example`)).toBe('/');
    expect(safeNext(`/migrations?q=${'x'.repeat(1900)}`)).toBe(`/migrations?q=${'x'.repeat(1900)}`);
  });

  it('answers the same when asked again (the sign-in page and its action both ask)', () => {
    for (const input of ['/migrations/3?x=1#gate', '/a/../audit?migration=4', '/\uff0fevil.example', '/%2e//evil.example/']) {
      expect(safeNext(safeNext(input))).toBe(safeNext(input));
    }
  });
});
