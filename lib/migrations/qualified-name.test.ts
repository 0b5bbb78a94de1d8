import { describe, expect, it } from 'vitest';
import { parseColumnName, QualifiedNameError, splitQualifiedName } from './qualified-name';

describe('qualified names', () => {
  it.each([
    ['public.leads.user_email', ['public', 'leads', 'user_email']],
    ['Leads.UserEmail', ['leads', 'useremail']],
    ['"Sales Dept"."we""ird.table"."select"', ['Sales Dept', 'we"ird.table', 'select']],
    ['"Ünï"."T".c', ['Ünï', 'T', 'c']],
  ])('%s', (input, parts) => {
    expect(splitQualifiedName(input)).toEqual(parts);
  });

  it('defaults the schema to public', () => {
    expect(parseColumnName('leads.user_email')).toEqual({ schema: 'public', table: 'leads', column: 'user_email' });
  });

  it.each(['leads', 'a.b.c.d', '"open.quote', 'a..b', '"x"y.z'])('rejects %s', (input) => {
    expect(() => parseColumnName(input)).toThrow(QualifiedNameError);
  });
});
