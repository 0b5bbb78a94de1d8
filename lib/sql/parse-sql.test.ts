import { describe, expect, it } from 'vitest';
import { parseSql, SqlSyntaxError } from './parse-sql';

describe('parseSql', () => {
  it('locates each statement by its first token, past comments and blank lines', async () => {
    const sql = '-- rename\n\nALTER TABLE leads RENAME COLUMN user_email TO contact_email;\n  /* a /* nested */ note */ SELECT 1;\nSELECT 2 -- trailing\n';
    const { statements } = await parseSql(sql);
    expect(statements.map(({ index, kind, text, line, column }) => ({ index, kind, text, line, column }))).toEqual([
      { index: 0, kind: 'RenameStmt', text: 'ALTER TABLE leads RENAME COLUMN user_email TO contact_email', line: 3, column: 1 },
      { index: 1, kind: 'SelectStmt', text: 'SELECT 1', line: 4, column: 29 },
      { index: 2, kind: 'SelectStmt', text: 'SELECT 2 -- trailing', line: 5, column: 1 },
    ]);
    for (const s of statements) expect(sql.slice(s.start, s.end).trimEnd()).toBe(s.text);
  });

  it('converts the parser byte offsets to string offsets for non-ASCII text', async () => {
    const sql = "SELECT 'é😀'; SELECT 'ü';\nSELECT 3;";
    const { statements } = await parseSql(sql);
    expect(statements.map((s) => [s.text, s.line, s.column])).toEqual([
      ["SELECT 'é😀'", 1, 1],
      ["SELECT 'ü'", 1, 15],
      ['SELECT 3', 2, 1],
    ]);
  });

  it('returns the AST of each statement', async () => {
    const { statements, parserVersion } = await parseSql('ALTER TABLE orders DROP COLUMN status');
    expect(parserVersion).toBeGreaterThanOrEqual(180000);
    expect(statements[0]!.stmt).toMatchObject({
      AlterTableStmt: { relation: { relname: 'orders' }, cmds: [{ AlterTableCmd: { subtype: 'AT_DropColumn', name: 'status' } }] },
    });
  });

  it('parses placeholders, as pg_stat_statements shows queries', async () => {
    const { statements } = await parseSql('SELECT user_email FROM leads WHERE id = $1');
    expect(statements[0]!.kind).toBe('SelectStmt');
  });

  it.each(['', '   \n', '-- nothing but a comment\n'])('has no statements for %j', async (sql) => {
    expect((await parseSql(sql)).statements).toEqual([]);
  });

  it('reports a syntax error with its line, column and 1-based character position', async () => {
    const sql = "SELECT '😀';\nSELECT 1;\n  ALTER TABL x;";
    const error = await parseSql(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlSyntaxError);
    expect(error).toMatchObject({ message: 'syntax error at or near "TABL"', line: 3, column: 9, position: sql.indexOf('TABL') });
  });

  it('reports an unterminated statement at the end of the input', async () => {
    const error = await parseSql('SELECT 1;\nSELECT (1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlSyntaxError);
    expect((error as SqlSyntaxError).line).toBe(2);
  });
});
