import { describe, expect, it } from 'vitest';
import { formatTable } from './format-table';

const head = ['id', 'state', 'title'];
const rows = [
  ['12', 'monitoring', 'Rename leads.user_email to email'],
  ['3', 'planned', 'Change orders.amount to numeric'],
];

describe('tables on the command line', () => {
  it('off a terminal, pads each column to its widest cell, two spaces apart, with no border characters or trailing spaces', () => {
    expect(formatTable(head, rows, false).split('\n')).toEqual([
      'id  state       title',
      '12  monitoring  Rename leads.user_email to email',
      '3   planned     Change orders.amount to numeric',
    ]);
  });

  it('on a terminal, draws every cell inside borders, the header first', () => {
    const lines = formatTable(head, rows, true).split('\n');
    // Top, header, the rule under it, one line per row, bottom.
    expect(lines).toHaveLength(4 + rows.length);
    expect(lines[2]).toMatch(/^├─+┼─+┼─+┤$/);
    expect(lines[1]).toMatch(/^│ id │ state +│ title +│$/);
    expect(lines[3]).toMatch(/^│ 12 │ monitoring │ Rename leads\.user_email to email │$/);
    // No colour codes: the header is plain text.
    expect(lines.join('')).not.toContain('\u001b[');
  });
});
