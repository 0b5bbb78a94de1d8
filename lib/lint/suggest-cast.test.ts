import { describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '../migrations/schema';
import { parseSql } from '../sql/parse-sql';
import { detectBreakingChanges } from './detect-breaking-changes';
import { suggestCast } from './suggest-cast';

describe('suggestCast', () => {
  it.each<{ from: string; to: string; forward: string; reverse: string; advice: RegExp }>([
    {
      from: 'text',
      to: 'integer',
      forward: '({{old}})::integer',
      reverse: '({{new}})::text',
      advice: /text that spells a number.*CASE \{\{old\}\} WHEN 'pending' THEN 1/,
    },
    { from: 'integer', to: 'bigint', forward: '({{old}})::bigint', reverse: '({{new}})::integer', advice: /every value fits bigint; the reverse fails/ },
    { from: 'bigint', to: 'integer', forward: '({{old}})::integer', reverse: '({{new}})::bigint', advice: /beyond integer's range cannot be cast/ },
    { from: 'integer', to: 'text', forward: '({{old}})::text', reverse: '({{new}})::integer', advice: /reverse cast to integer cannot read/ },
    {
      from: 'timestamp without time zone',
      to: 'timestamptz',
      forward: "({{old}}) AT TIME ZONE 'UTC'",
      reverse: "({{new}}) AT TIME ZONE 'UTC'",
      advice: /read its times as UTC/,
    },
    {
      from: 'character varying(20)',
      to: 'text',
      forward: '({{old}})::text',
      reverse: '({{new}})::character varying(20)',
      advice: /cuts longer text new code writes/,
    },
    { from: 'numeric(10,2)', to: 'integer', forward: '({{old}})::integer', reverse: '({{new}})::numeric(10,2)', advice: /rounds fractions/ },
    { from: 'text', to: 'boolean', forward: '({{old}})::boolean', reverse: '({{new}})::text', advice: /writes 'true' or 'false'/ },
    { from: 'point', to: 'text', forward: '({{old}})::text', reverse: '({{new}})::point', advice: /a cast each way, between point and text/ },
  ])('$from → $to', ({ from, to, forward, reverse, advice }) => {
    const s = suggestCast(from, to);
    expect([s.forward, s.reverse]).toEqual([forward, reverse]);
    expect(s.advice).toMatch(advice);
    expect(s.advice).toContain(`the column is ${from} on the target`);
  });
});

describe('detectBreakingChanges with the live schema', () => {
  const live: SchemaSnapshot = {
    schemas: ['public'],
    tables: [
      {
        schema: 'public',
        name: 'orders',
        columns: [{ name: 'status', type: 'character varying(20)', nullable: false, defaultExpression: null, position: 2, identity: '', generated: '' }],
        primaryKey: ['id'],
        estimatedRows: 0,
        totalBytes: 0,
        rlsEnabled: false,
        dependents: [],
      },
    ],
  };
  const sql = 'ALTER TABLE orders ALTER COLUMN status TYPE integer;';

  it('suggests the reverse cast to the real type, and says the type it read', async () => {
    const [finding] = detectBreakingChanges((await parseSql(sql)).statements, live);
    expect(finding!.suggestion).toEqual({
      kind: 'change-type',
      schema: 'public',
      table: 'orders',
      column: 'status',
      newColumn: 'status_new',
      newType: 'integer',
      forward: '({{old}})::integer',
      reverse: '({{new}})::character varying(20)',
    });
    expect(finding!.message).toContain('public.orders.status from character varying(20) to integer');
    expect(finding!.help).toContain(
      'maps forward with (status)::integer and back with (status_new)::character varying(20): the column is character varying(20)',
    );
    expect(finding!.help).not.toContain('guess');
  });

  it('still guesses, and says so, without the schema', async () => {
    const [finding] = detectBreakingChanges((await parseSql(sql)).statements);
    expect(finding!.suggestion).toMatchObject({ forward: '({{old}})::integer', reverse: '({{new}})::text' });
    expect(finding!.help).toContain('a guess since the old type is not in this SQL');
  });
});
