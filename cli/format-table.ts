import Table from 'cli-table3';

/**
 * Rows as a table: on a terminal, drawn with borders (cli-table3, which measures wide and combining
 * characters); anywhere else, plain columns padded to their widest cell and two spaces apart, with no
 * border characters, so logs stay readable and `grep`/`cut` work. Scripts want `--json` instead.
 */
export function formatTable(head: string[], rows: string[][], tty: boolean): string {
  if (tty) {
    // No rule between rows: a list of migrations reads as a list. No colours: the header is plain text.
    const table = new Table({ head, style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
    table.push(...rows);
    // A rule under the header only, drawn like the top border.
    const lines = table.toString().split('\n');
    lines.splice(2, 0, lines[0]!.replace('┌', '├').replace(/┬/g, '┼').replace('┐', '┤'));
    return lines.join('\n');
  }
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  // The last column is not padded: no trailing spaces.
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
