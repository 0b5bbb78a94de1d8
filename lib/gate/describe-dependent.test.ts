import { describe, expect, it } from 'vitest';
import { columnReaders } from './column-readers';
import { describeDependent, type ColumnDependent } from './describe-dependent';

const COLUMN = { schema: 'public', table: 'leads', column: 'user_email' };

describe('describeDependent', () => {
  it.each<{ dependent: ColumnDependent; expected: string }>([
    {
      dependent: { kind: 'view', schema: 'public', name: 'lead_emails' },
      expected: 'view public.lead_emails reads public.leads.user_email: recreate it on the new column before the contract (or let the plan move it)',
    },
    {
      dependent: { kind: 'view', schema: 'public', name: 'v3', via: ['public.v2', 'public.lead_emails'] },
      expected:
        'view public.v3 reads public.leads.user_email through public.v2, then public.lead_emails: recreate it on the new column before the contract (or let the plan move it)',
    },
    {
      dependent: { kind: 'materialized view', schema: 'reports', name: 'email_stats' },
      expected:
        'materialized view reports.email_stats reads public.leads.user_email: recreate it on the new column before the contract (or let the plan move it)',
    },
    {
      dependent: { kind: 'policy', schema: 'public', name: 'own_leads', table: 'leads' },
      expected: 'policy own_leads on public.leads reads public.leads.user_email: recreate it on the new column before the contract (or let the plan move it)',
    },
    {
      dependent: { kind: 'function', schema: 'public', name: 'lead_count', arguments: '' },
      expected: 'function public.lead_count() uses public.leads.user_email: update it to the new column',
    },
    {
      dependent: { kind: 'function', schema: 'reports', name: 'report', arguments: 'day date', via: ['public.lead_count()'] },
      expected: 'function reports.report(day date) uses public.leads.user_email through public.lead_count(): update it to the new column',
    },
    {
      dependent: { kind: 'function', schema: 'public', name: 'export_leads', arguments: '', star: true },
      expected: 'function public.export_leads() reads every column of public.leads (* or a whole row): check that it works without user_email',
    },
    {
      dependent: { kind: 'function', schema: 'public', name: 'any_column', arguments: 'c text', dynamic: true },
      expected:
        'function public.any_column(c text) runs SQL built at run time that mentions public.leads: check whether it uses user_email, and update it to the new column if it does',
    },
    {
      dependent: { kind: 'trigger', schema: 'public', name: 'email_changed', table: 'leads' },
      expected: 'trigger email_changed on public.leads fires on public.leads.user_email (UPDATE OF or WHEN): recreate it on the new column before the contract',
    },
    {
      dependent: { kind: 'trigger', schema: 'public', name: 'audit', table: 'orders', via: ['public.audit_row()', 'public.lead_emails'] },
      expected:
        'trigger audit on public.orders runs public.audit_row(), which uses public.leads.user_email through public.lead_emails: update the function to the new column',
    },
    {
      dependent: { kind: 'generated column', schema: 'public', name: 'email_domain', table: 'leads' },
      expected: 'generated column public.leads.email_domain is computed from public.leads.user_email: recreate it from the new column before the contract',
    },
  ])('$expected', ({ dependent, expected }) => {
    expect(describeDependent(dependent, COLUMN)).toBe(expected);
  });
});

describe('columnReaders', () => {
  it('takes views and functions, each name once, and leaves the rest', () => {
    expect(
      columnReaders([
        { kind: 'view', schema: 'public', name: 'lead_emails' },
        { kind: 'materialized view', schema: 'reports', name: 'email_stats' },
        { kind: 'policy', schema: 'public', name: 'own_leads', table: 'leads' },
        { kind: 'function', schema: 'public', name: 'lead_count', arguments: '' },
        { kind: 'function', schema: 'public', name: 'lead_count', arguments: 'p_domain text' },
        { kind: 'function', schema: 'public', name: 'any_column', arguments: 'c text', dynamic: true },
        { kind: 'trigger', schema: 'public', name: 'email_changed', table: 'leads' },
        { kind: 'generated column', schema: 'public', name: 'email_domain', table: 'leads' },
      ]),
    ).toEqual({
      readers: [
        { schema: 'public', name: 'lead_emails' },
        { schema: 'reports', name: 'email_stats' },
      ],
      readerFunctions: [
        { schema: 'public', name: 'lead_count' },
        { schema: 'public', name: 'any_column' },
      ],
    });
  });
});
