import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sarifSchemaErrors } from '../../tests/helpers/validate-sarif';
import type { LintFileResult } from './lint-sql';
import { toSarif } from './to-sarif';
import type { LintFinding } from './types';

const cwd = path.resolve('/repo');

const finding = (f: Partial<LintFinding> & Pick<LintFinding, 'rule' | 'source' | 'severity' | 'line'>): LintFinding => ({
  message: `${f.rule} here`,
  help: null,
  statementIndex: 0,
  ...f,
});

const rename = finding({
  source: 'expand-contract',
  rule: 'breaking-rename-column',
  severity: 'error',
  line: 2,
  column: 1,
  message: 'renaming public.leads.user_email to contact_email breaks every running query that still uses user_email',
  help: 'Add contact_email beside user_email …',
  suggestion: { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
});
const squawkRename = finding({
  source: 'squawk',
  rule: 'renaming-column',
  severity: 'error',
  line: 2,
  column: 19,
  message: 'Renaming a column may break existing clients.',
});
const lockTimeout = finding({
  source: 'squawk',
  rule: 'require-lock-timeout',
  severity: 'warning',
  line: 2,
  column: 1,
  help: 'Configure a `lock_timeout` before this statement.',
});

const results: LintFileResult[] = [
  { file: 'supabase/migrations/20250102_rename leads.sql', statements: 1, findings: [rename, lockTimeout, squawkRename] },
  { file: path.join(cwd, 'supabase', 'migrations', '20250103_lock.sql'), statements: 1, findings: [lockTimeout] },
  {
    file: '<stdin>',
    statements: 0,
    findings: [finding({ source: 'expand-contract', rule: 'syntax-error', severity: 'error', line: 3, statementIndex: null })],
  },
  { file: 'clean.sql', statements: 1, findings: [] },
];

const log = toSarif(results, { tool: { name: 'expand-contract', version: '1.2.3' }, squawk: { name: 'squawk', version: '2.66.0' }, cwd });
const [run] = log.runs;

describe('toSarif', () => {
  it('is valid SARIF 2.1.0 by the OASIS schema, which does catch a broken log', () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
    const badLevel = structuredClone(log);
    badLevel.runs[0]!.results[0]!.level = 'fatal' as 'error';
    expect(sarifSchemaErrors(badLevel).join('\n')).toContain('/runs/0/results/0/level');
    const nowhere = structuredClone(log);
    nowhere.runs[0]!.results[0]!.locations[0]!.physicalLocation.region = {} as { startLine: number };
    expect(sarifSchemaErrors(nowhere).join('\n')).toContain('/runs/0/results/0/locations/0/physicalLocation/region');
  });

  it('makes our pass the driver and Squawk an extension, each describing the rules that fired once', () => {
    expect(run!.tool.driver).toMatchObject({ name: 'expand-contract', version: '1.2.3' });
    expect(run!.tool.driver).not.toHaveProperty('informationUri');
    expect(run!.tool.driver.rules.map((r) => r.id)).toEqual(['breaking-rename-column', 'syntax-error']);
    expect(run!.tool.driver.rules[0]).toMatchObject({
      shortDescription: { text: 'RENAME COLUMN breaks every running query that still uses the old name' },
      help: { text: expect.stringContaining('expand-contract plan rename') },
      defaultConfiguration: { level: 'error' },
    });
    expect(run!.tool.extensions).toHaveLength(1);
    const [squawk] = run!.tool.extensions;
    expect(squawk).toMatchObject({ name: 'squawk', version: '2.66.0', informationUri: 'https://squawkhq.com' });
    expect(squawk!.rules.map((r) => [r.id, r.helpUri, r.defaultConfiguration.level])).toEqual([
      ['require-lock-timeout', 'https://squawkhq.com/docs/require-lock-timeout', 'warning'],
      ['renaming-column', 'https://squawkhq.com/docs/renaming-column', 'error'],
    ]);
  });

  it("points each result at its rule in its tool's list, at its file relative to the root, its line and column", () => {
    const where = (i: number) => {
      const r = run!.results[i]!;
      const { artifactLocation, region } = r.locations[0]!.physicalLocation;
      return { ruleId: r.ruleId, ruleIndex: r.ruleIndex, extension: r.rule?.toolComponent.index ?? null, level: r.level, uri: artifactLocation.uri, ...region };
    };
    expect(run!.results.map((_, i) => where(i))).toEqual([
      {
        ruleId: 'breaking-rename-column',
        ruleIndex: 0,
        extension: null,
        level: 'error',
        uri: 'supabase/migrations/20250102_rename%20leads.sql',
        startLine: 2,
        startColumn: 1,
      },
      {
        ruleId: 'require-lock-timeout',
        ruleIndex: 0,
        extension: 0,
        level: 'warning',
        uri: 'supabase/migrations/20250102_rename%20leads.sql',
        startLine: 2,
        startColumn: 1,
      },
      {
        ruleId: 'renaming-column',
        ruleIndex: 1,
        extension: 0,
        level: 'error',
        uri: 'supabase/migrations/20250102_rename%20leads.sql',
        startLine: 2,
        startColumn: 19,
      },
      {
        ruleId: 'require-lock-timeout',
        ruleIndex: 0,
        extension: 0,
        level: 'warning',
        uri: 'supabase/migrations/20250103_lock.sql',
        startLine: 2,
        startColumn: 1,
      },
      { ruleId: 'syntax-error', ruleIndex: 1, extension: null, level: 'error', uri: '%3Cstdin%3E', startLine: 3 },
    ]);
    for (const r of run!.results) expect(r.locations[0]!.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    expect(run!.originalUriBaseIds['%SRCROOT%']!.uri).toMatch(/^file:\/\/\/.*\/$/);
  });

  it('carries the help and the safe plan in the message, as the other formats do', () => {
    expect(run!.results[0]!.message.text).toBe(
      'renaming public.leads.user_email to contact_email breaks every running query that still uses user_email\n' +
        'help: Add contact_email beside user_email …\n' +
        'plan it safely: expand-contract plan rename public.leads.user_email contact_email',
    );
  });

  it('is a valid, empty run when nothing was found', () => {
    const empty = toSarif([{ file: 'clean.sql', statements: 1, findings: [] }], {
      tool: { name: 'expand-contract', version: '1.2.3' },
      squawk: { name: 'squawk', version: '2.66.0' },
      cwd,
    });
    expect(empty.runs[0]!.results).toEqual([]);
    expect(sarifSchemaErrors(empty)).toEqual([]);
  });
});
