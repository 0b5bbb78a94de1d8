/**
 * Whether what was recorded for a file is that file. This runner records the file whole, compared
 * as is; the Supabase CLI records it split into statements, each trimmed and without its semicolon.
 * Those must be found in the file in order, with nothing but whitespace and semicolons around and
 * between them: a push by the CLI is not mistaken for an edit, and every edit (inside a string or a
 * function body too) still shows.
 */
export function recordedIsFile(statements: string[], sql: string): boolean {
  if (statements.length === 1 && statements[0] === sql) return true;
  const gap = /^[\s;]*$/;
  let at = 0;
  for (const statement of statements) {
    const found = sql.indexOf(statement, at);
    if (found < 0 || !gap.test(sql.slice(at, found))) return false;
    at = found + statement.length;
  }
  return gap.test(sql.slice(at));
}
