import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatGithubAnnotations } from './format-github-annotations';
import type { LintFinding } from './types';

const cwd = path.resolve('/repo');

describe('escapeData and escapeProperty', () => {
  it.each([
    { name: 'plain text', input: 'renaming a column', data: 'renaming a column', property: 'renaming a column' },
    { name: 'percent first, so escapes are not escaped twice', input: '100%0A', data: '100%250A', property: '100%250A' },
    { name: 'line breaks', input: 'one\r\ntwo\nthree', data: 'one%0D%0Atwo%0Athree', property: 'one%0D%0Atwo%0Athree' },
    { name: 'comma and colon end a property, not a message', input: 'a,b: c', data: 'a,b: c', property: 'a%2Cb%3A c' },
    { name: 'a file name with all of them', input: 'db/001_a,b:c%.sql', data: 'db/001_a,b:c%25.sql', property: 'db/001_a%2Cb%3Ac%25.sql' },
  ])('$name', ({ input, data, property }) => {
    expect(escapeData(input)).toBe(data);
    expect(escapeProperty(input)).toBe(property);
  });
});

describe('formatGithubAnnotations', () => {
  const rename: LintFinding = {
    source: 'expand-contract',
    rule: 'breaking-rename-column',
    severity: 'error',
    message: 'renaming public.leads.user_email to contact_email breaks every running query that still uses user_email',
    help: 'Add contact_email beside user_email, keep both in sync.',
    statementIndex: 0,
    line: 2,
    column: 1,
    suggestion: { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
  };
  const advice: LintFinding = {
    source: 'squawk',
    rule: 'require-lock-timeout',
    severity: 'warning',
    message: 'Missing `set lock_timeout`',
    help: null,
    statementIndex: 0,
    line: 7,
  };

  it('puts each finding on its file (relative to the root), line and column, as error or warning, with the help and safe plan in the message', () => {
    const lines = formatGithubAnnotations(
      [
        { file: path.join(cwd, 'supabase', 'migrations', '002_rename.sql'), statements: 1, findings: [rename] },
        { file: 'supabase/migrations/003_lock.sql', statements: 1, findings: [advice] },
        { file: 'clean.sql', statements: 1, findings: [] },
      ],
      cwd,
    );
    expect(lines).toEqual([
      '::error file=supabase/migrations/002_rename.sql,line=2,col=1,title=breaking-rename-column (expand-contract)::' +
        'renaming public.leads.user_email to contact_email breaks every running query that still uses user_email' +
        '%0Ahelp: Add contact_email beside user_email, keep both in sync.' +
        '%0Aplan it safely: expand-contract plan rename public.leads.user_email contact_email',
      '::warning file=supabase/migrations/003_lock.sql,line=7,title=require-lock-timeout (squawk)::Missing `set lock_timeout`',
    ]);
    // One workflow command per line: the runner reads no further.
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
  });
});
