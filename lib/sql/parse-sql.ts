import { loadModule, parse, scan, SqlError, type Node } from 'libpg-query';
import { AppError } from '../errors/app-error';

/** One top-level statement of the input, located in the original text. */
export interface ParsedStatement {
  /** 0-based position among the input's statements. */
  index: number;
  /** The node name of the statement, e.g. "AlterTableStmt", "RenameStmt", "SelectStmt". */
  kind: string;
  /** The statement's AST as libpg-query returns it: an object with one key, `kind`. */
  stmt: Node;
  /** The statement's own text, without the terminating semicolon. */
  text: string;
  /** JavaScript string offsets into the input (libpg-query reports UTF-8 bytes; these are converted). */
  start: number;
  end: number;
  /** 1-based line and column (in JavaScript string units) of the statement's first token. */
  line: number;
  column: number;
}

export interface ParsedSql {
  /** PostgreSQL version of the grammar, e.g. 180004. */
  parserVersion: number;
  statements: ParsedStatement[];
}

/** The input is not valid PostgreSQL: what Postgres itself would say, and where. */
export class SqlSyntaxError extends AppError {
  readonly code = 'sql-syntax';
  readonly kind = 'invalid';
  constructor(
    message: string,
    /** 1-based line of the error. */
    readonly line: number,
    /** 1-based column (JavaScript string units) in that line. */
    readonly column: number,
    /** 1-based character position in the whole input, as Postgres reports it. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

let loaded: Promise<void> | null = null;

/** The WASM module takes a while to instantiate: do it once per process, on first use. */
export function ensureParserLoaded(): Promise<void> {
  loaded ??= loadModule().catch((error: unknown) => {
    // A failed load must not poison every later call with the same rejected promise.
    loaded = null;
    throw error;
  });
  return loaded;
}

/** Parses SQL text with the real Postgres grammar (libpg-query) into located statements. */
export async function parseSql(sql: string): Promise<ParsedSql> {
  await ensureParserLoaded();
  // libpg-query refuses the empty string, but an empty migration file is simply one without statements.
  if (sql.trim() === '') return { parserVersion: 0, statements: [] };

  let result;
  try {
    result = await parse(sql);
  } catch (error) {
    if (error instanceof SqlError) throw toSyntaxError(sql, error);
    throw error;
  }

  const offsets = byteToCharOffsets(sql);
  const lineStarts = lineStartOffsets(sql);
  const statements = (result.stmts ?? []).map((raw, index): ParsedStatement => {
    const stmt = raw.stmt;
    if (!stmt) throw new Error(`libpg-query returned statement ${index} without a tree`);
    const startByte = raw.stmt_location ?? 0;
    // A length of 0 (omitted in the JSON) means "up to the end of the input".
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : offsets.length - 1;
    const start = skipBlank(sql, offsets[startByte] ?? 0);
    const end = Math.max(start, offsets[endByte] ?? sql.length);
    const { line, column } = lineAndColumn(lineStarts, start);
    return { index, kind: Object.keys(stmt)[0] ?? 'unknown', stmt, text: sql.slice(start, end).trimEnd(), start, end, line, column };
  });
  return { parserVersion: result.version ?? 0, statements };
}

function toSyntaxError(sql: string, error: SqlError): SqlSyntaxError {
  // Postgres counts the error position in characters (code points), JavaScript strings in UTF-16 units.
  const codePoints = error.sqlDetails?.cursorPosition ?? 0;
  let offset = 0;
  for (let seen = 0; seen < codePoints && offset < sql.length; seen++) {
    offset += (sql.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  }
  const { line, column } = lineAndColumn(lineStartOffsets(sql), offset);
  return new SqlSyntaxError(error.message, line, column, codePoints + 1);
}

/** offsets[b] is the string offset of UTF-8 byte b (length: bytes + 1). */
export function byteToCharOffsets(sql: string): Uint32Array {
  const bytes = new TextEncoder().encode(sql);
  const offsets = new Uint32Array(bytes.length + 1);
  let b = 0;
  for (let i = 0; i < sql.length; i++) {
    const cp = sql.codePointAt(i) ?? 0;
    const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) offsets[b + k] = i;
    b += width;
    if (cp > 0xffff) i++;
  }
  offsets[b] = sql.length;
  return offsets;
}

/** Older Postgres grammars start a statement right after the previous semicolon, comments included. */
function skipBlank(sql: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      if (nl === -1) return sql.length;
      i = nl + 1;
    } else if (sql.startsWith('/*', i)) {
      // Postgres block comments nest.
      let depth = 0;
      do {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else {
          i++;
        }
      } while (depth > 0 && i < sql.length);
    } else {
      return i;
    }
  }
}

function lineStartOffsets(sql: string): number[] {
  const starts = [0];
  for (let i = sql.indexOf('\n'); i !== -1; i = sql.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of a string offset. */
function lineAndColumn(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

/** One token as Postgres' own lexer sees it: its text and kind (IDENT, SCONST, SQL_COMMENT…). */
export interface SqlToken {
  text: string;
  kind: string;
}

/** Splits SQL text into tokens with the real Postgres lexer; a string, identifier or comment is one token. */
export async function scanSql(sql: string): Promise<SqlToken[]> {
  await ensureParserLoaded();
  try {
    return (await scan(sql)).tokens.map((t) => ({ text: t.text, kind: t.tokenName }));
  } catch (error) {
    if (error instanceof SqlError) throw toSyntaxError(sql, error);
    throw error;
  }
}
