import { describe, expect, it } from 'vitest';
import { operationFor } from './operations';
import { placeholderUses, withMarkers, type FieldPlaceholders } from './placeholders';
import type { OperationSpec } from './types';

// The rules as the operations declare them for their fields, so these cases check what planning uses.
const withEveryField: OperationSpec[] = [
  { kind: 'change-type', schema: 'public', table: 't', column: 'c', newColumn: 'n', newType: 'integer', forward: '{{old}}', reverse: '{{new}}' },
  { kind: 'set-not-null', schema: 'public', table: 't', column: 'c', fill: '0' },
  { kind: 'add-column', schema: 'public', table: 't', column: 'c', type: 'text', notNull: true, default: "''", backfill: "''" },
];
const rules = new Map(withEveryField.flatMap((spec) => operationFor(spec).sqlFields(spec)).map((f) => [f.field, f]));
const ruleOf = (field: string): FieldPlaceholders => rules.get(field)!;

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
    expect(placeholderUses(ruleOf(field), text).problems).toEqual(problems);
  });

  it('counts each use, for the lexer check', () => {
    expect(placeholderUses(ruleOf('backfill'), '{{row}}.a || {{row}}.b').uses).toEqual([{ placeholder: 'row', count: 2 }]);
    expect(withMarkers('{{row}}.a || {{old}}')).toBe('ec_placeholder_row.a || ec_placeholder_old');
  });
});
