import { describe, expect, it } from 'vitest';
import { safePlanCommand } from './safe-plan-command';

describe('safePlanCommand', () => {
  it.each<{ name: string; spec: Parameters<typeof safePlanCommand>[0]; expected: string | null }>([
    {
      name: 'rename',
      spec: { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
      expected: 'expand-contract plan rename public.leads.user_email contact_email',
    },
    {
      name: 'rename with names that need SQL and shell quoting',
      spec: { kind: 'rename-column', schema: 'Weird "Schema"', table: 'My Table', column: "it's", newName: 'new col' },
      expected: `expand-contract plan rename '"Weird ""Schema"""."My Table"."it'\\''s"' 'new col'`,
    },
    {
      name: 'change type',
      spec: {
        kind: 'change-type',
        schema: 'public',
        table: 'orders',
        column: 'status',
        newColumn: 'status_new',
        newType: 'integer',
        forward: '({{old}})::integer',
        reverse: '({{new}})::text',
      },
      expected:
        "expand-contract plan change-type public.orders.status integer --new-column status_new --forward '({{old}})::integer' --reverse '({{new}})::text'",
    },
    {
      name: 'add column',
      spec: { kind: 'add-column', schema: 'public', table: 'users', column: 'verified', type: 'numeric(10,2)', notNull: true, default: 'false' },
      expected: "expand-contract plan add-column public.users.verified 'numeric(10,2)' --not-null --default false",
    },
    {
      name: 'set not null',
      spec: { kind: 'set-not-null', schema: 'public', table: 'users', column: 'verified' },
      expected: 'expand-contract plan set-not-null public.users.verified',
    },
    {
      name: 'drop column',
      spec: { kind: 'drop-column', schema: 'public', table: 'users', column: 'legacy_field' },
      expected: 'expand-contract plan drop-column public.users.legacy_field',
    },
    { name: 'raw SQL has nothing safer to plan', spec: { kind: 'raw-sql', sql: 'SELECT 1', name: 'x' }, expected: null },
  ])('$name', ({ spec, expected }) => {
    expect(safePlanCommand(spec)).toBe(expected);
  });
});
