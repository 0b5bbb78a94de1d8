import { describe, expect, it } from 'vitest';
import { placeholderUses, withMarkers } from './placeholders';

describe('placeholderUses', () => {
  it.each([
    ['forward', '{{old}}::integer', []],
    ['forward', "CASE {{old}} WHEN 'a' THEN 1 END", []],
    ['forward', '({{old}})[1]', []],
    ['reverse', '{{new}}::text', []],
    ['fill', '{{row}}."settled"', []],
    ['backfill', 'coalesce({{row}}.a, {{row}}.b)', []],
    ['default', "'free'", []],
    ['forward', '1', ['must use {{old}} for the value it converts']],
    ['forward', '{{new}} + {{old}}', ['{{new}} cannot be used here: use {{old}}']],
    ['default', '{{row}}.a', ['{{row}} cannot be used here: this field takes no placeholder']],
    ['forward', '{{ old }}', ['{{ old }} cannot be used here: use {{old}}', 'must use {{old}} for the value it converts']],
    ['fill', '$a{{row}}$ $at$', ['{{row}} must stand alone and be followed by ."column"']],
    ['forward', '"{{old}}"', ['{{old}} must stand alone, where a column value goes']],
    ['forward', 'x{{old}}', ['{{old}} must stand alone, where a column value goes']],
    ['forward', '{{old}}x', ['{{old}} must stand alone, where a column value goes']],
    ['forward', 'f.{{old}}', ['{{old}} must stand alone, where a column value goes']],
    ['forward', '{{old}}(1)', ['{{old}} must stand alone, where a column value goes']],
    ['fill', '{{row}}', ['{{row}} must stand alone and be followed by ."column"']],
    ['forward', '{{old}} + ec_placeholder_old', ['contains a reserved name (ec_placeholder_…)']],
  ])('%s %j → %j', (field, text, problems) => {
    expect(placeholderUses(field, text).problems).toEqual(problems);
  });

  it('counts each use, for the lexer check', () => {
    expect(placeholderUses('backfill', '{{row}}.a || {{row}}.b').uses).toEqual([{ placeholder: 'row', count: 2 }]);
    expect(withMarkers('{{row}}.a || {{old}}')).toBe('ec_placeholder_row.a || ec_placeholder_old');
  });
});
