import { parsePlPgSQLSync, parseSync, scanSync } from 'libpg-query';
import { AppError } from '../errors/app-error';
import { dollarQuote } from '../migrations/sql-text';
import { byteToCharOffsets, ensureParserLoaded } from './parse-sql';

/*
 * The SQL that runs inside PL/pgSQL and SQL-language code. pg_stat_statements (with its default
 * `track = top`) shows a DO block or a function call as one statement and never the statements they
 * run, so a read of the legacy column there is invisible to a classifier of sampled texts. This
 * module finds those statements with the real PL/pgSQL compiler (libpg-query's parse_plpgsql), so
 * PERFORM, SELECT … INTO, FOR … IN query, RETURN QUERY, cursors and every expression (IF, WHILE,
 * assignments, RAISE arguments, DECLARE defaults) come out as ordinary raw parse trees.
 */

/** Code whose statements run out of sight of a sampled statement text. */
export type EmbeddedCode =
  /** A DO block: its body (the text inside the quotes) and language (plpgsql unless told). */
  | { kind: 'do'; body: string; language?: string }
  /**
   * A function or procedure as pg_proc has it: its language's name and prosrc. `definition` is
   * its CREATE text (pg_get_functiondef): it gives the body its parameter names and return type,
   * which the PL/pgSQL compiler needs (an assignment to a parameter, RETURN QUERY), and holds the
   * statements of an SQL-standard body (BEGIN ATOMIC, RETURN expr), whose prosrc is empty.
   */
  | { kind: 'routine'; language: string; source: string; definition?: string };

export interface EmbeddedStatements {
  /**
   * Raw parse trees, in libpg-query's shape ({ SelectStmt: … }): each embedded statement, and each
   * PL/pgSQL expression as the SELECT that PL/pgSQL itself runs it as (`IF v IS NULL` → `SELECT v IS NULL`).
   */
  statements: unknown[];
  /**
   * Some of the code's SQL is not in its text: EXECUTE (or FOR … IN EXECUTE, OPEN … FOR EXECUTE,
   * RETURN QUERY EXECUTE) of a string built at run time, a language other than PL/pgSQL and SQL, or
   * an embedded statement this parser cannot read (PL/pgSQL parses those only when they first run). Whatever statements were found are still listed; what else runs cannot be known.
   */
  dynamic: boolean;
}

/** The code does not compile: what Postgres (as libpg-query embeds it) says about it. */
export class EmbeddedCodeError extends AppError {
  readonly code = 'embedded-code';
  readonly kind = 'invalid';
  constructor(
    readonly language: string,
    readonly reason: string,
  ) {
    super(`${language} code does not compile: ${reason}`);
    this.name = 'EmbeddedCodeError';
  }
}

/** plpgsqlStatementsSync, loading the parser first if needed. */
export async function plpgsqlStatements(code: EmbeddedCode): Promise<EmbeddedStatements> {
  await ensureParserLoaded();
  return plpgsqlStatementsSync(code);
}

/**
 * The statements inside a DO block or a routine. Synchronous, for callers walking a tree that
 * parseSql gave them (which loaded the parser); otherwise use plpgsqlStatements.
 * Throws EmbeddedCodeError when the code does not compile.
 */
export function plpgsqlStatementsSync(code: EmbeddedCode): EmbeddedStatements {
  const language = (code.kind === 'do' ? (code.language ?? 'plpgsql') : code.language).toLowerCase();
  if (language === 'sql' && code.kind === 'routine') return { statements: sqlRoutineStatements(code), dynamic: false };
  // plperl, plpython, plv8…: their SQL goes through strings the walk cannot read.
  if (language !== 'plpgsql') return { statements: [], dynamic: true };
  const found: EmbeddedStatements = { statements: [], dynamic: false };
  walk(compile(code), found);
  return found;
}

/** The PL/pgSQL compiler's tree of the code. */
function compile(code: EmbeddedCode): unknown {
  if (code.kind === 'do') return compileText(`DO ${dollarQuote(code.body)}`);
  if (code.definition) return compileText(code.definition);
  // Without its CREATE text the return type is unknown, and the compiler checks RETURN against it:
  // a trigger's (which also declares NEW and OLD) admits RETURN with or without a value, a set's RETURN QUERY and NEXT.
  let first: unknown;
  for (const returns of ['trigger', 'SETOF record']) {
    try {
      return compileText(`CREATE FUNCTION embedded() RETURNS ${returns} LANGUAGE plpgsql AS ${dollarQuote(code.source)}`);
    } catch (error) {
      first ??= error;
    }
  }
  throw first;
}

function compileText(text: string): unknown {
  try {
    return parsePlPgSQLSync(text);
  } catch (error) {
    throw new EmbeddedCodeError('plpgsql', error instanceof Error ? error.message : String(error));
  }
}

type Rec = Record<string, unknown>;
const rec = (x: unknown): Rec | undefined => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Rec) : undefined);

/** The field of each statement that holds a string to EXECUTE rather than a query. */
const DYNAMIC_FIELDS: Readonly<Record<string, string>> = {
  PLpgSQL_stmt_dynexecute: 'query',
  PLpgSQL_stmt_dynfors: 'query',
  PLpgSQL_stmt_open: 'dynquery',
  PLpgSQL_stmt_return_query: 'dynquery',
};

/** Every PLpgSQL_expr of the compiled function, declarations (defaults, cursor queries) included. */
function walk(n: unknown, found: EmbeddedStatements): void {
  if (Array.isArray(n)) {
    for (const x of n) walk(x, found);
    return;
  }
  const r = rec(n);
  if (!r) return;
  for (const [key, value] of Object.entries(r)) {
    if (key === 'PLpgSQL_expr') {
      found.statements.push(...readable(rec(value) ?? {}, found));
      continue;
    }
    const dynamicField = DYNAMIC_FIELDS[key];
    if (dynamicField === undefined) {
      walk(value, found);
      continue;
    }
    for (const [field, child] of Object.entries(rec(value) ?? {})) {
      if (field === dynamicField) executed(rec(rec(child)?.PLpgSQL_expr) ?? {}, found);
      else walk(child, found);
    }
  }
}

/** EXECUTE of a string: a constant one is SQL like any other, anything else is known only at run time. */
function executed(expr: Rec, found: EmbeddedStatements): void {
  const statements = readable(expr, found);
  // The string expression itself may read the column: EXECUTE 'SELECT ' || (SELECT …).
  found.statements.push(...statements);
  const text = constantString(statements);
  if (text === undefined) {
    found.dynamic = true;
    return;
  }
  try {
    found.statements.push(...sqlStatements(text));
  } catch {
    // It would fail when run, or it is SQL of a grammar this parser does not know: either way, not seen.
    found.dynamic = true;
  }
}

/** The value of `SELECT 'literal'`, the shape of a constant EXECUTE argument. */
function constantString(statements: unknown[]): string | undefined {
  if (statements.length !== 1) return undefined;
  const select = rec(rec(statements[0])?.SelectStmt);
  const targets = select?.targetList;
  if (!select || select.fromClause !== undefined || !Array.isArray(targets) || targets.length !== 1) return undefined;
  const value = rec(rec(rec(rec(targets[0])?.ResTarget)?.val)?.A_Const)?.sval;
  const text = rec(value)?.sval;
  return typeof text === 'string' ? text : undefined;
}

/**
 * An expression's statements. PL/pgSQL checks only its own syntax when it compiles: a statement it
 * runs is parsed on first use, so a body may hold one that never parses (or that this parser's grammar
 * does not know). What it would do is unknown, which is what `dynamic` says.
 */
function readable(expr: Rec, found: EmbeddedStatements): unknown[] {
  try {
    return expressionStatements(expr);
  } catch (error) {
    if (!(error instanceof EmbeddedCodeError)) throw error;
    found.dynamic = true;
    return [];
  }
}

// RawParseMode: how PL/pgSQL hands an expression's text to the SQL parser.
const RAW_PARSE_DEFAULT = 0;
const RAW_PARSE_PLPGSQL_EXPR = 2;
const RAW_PARSE_PLPGSQL_ASSIGN1 = 3;
const RAW_PARSE_PLPGSQL_ASSIGN3 = 5;

function expressionStatements(expr: Rec): unknown[] {
  const query = typeof expr.query === 'string' ? expr.query : '';
  const mode = typeof expr.parseMode === 'number' ? expr.parseMode : RAW_PARSE_DEFAULT;
  if (query.trim() === '') return [];
  // PL/pgSQL parses an expression as a SELECT list, FROM and all (`v := count(*) FROM t` is valid): prefixing SELECT is the same grammar.
  if (mode === RAW_PARSE_PLPGSQL_EXPR) return sqlStatements(`SELECT ${query}`);
  if (mode >= RAW_PARSE_PLPGSQL_ASSIGN1 && mode <= RAW_PARSE_PLPGSQL_ASSIGN3) {
    const { target, value } = splitAssignment(query);
    // The target is a variable or a field of one (NEW.col, r.f[i]): as an expression it reads what it names, subscripts included.
    return [...sqlStatements(`SELECT ${target}`), ...sqlStatements(`SELECT ${value}`)];
  }
  return sqlStatements(query);
}

/** `target := value` (or `=`): the first assignment operator outside brackets ends the target. */
function splitAssignment(query: string): { target: string; value: string } {
  const offsets = byteToCharOffsets(query);
  let depth = 0;
  for (const token of scanSync(query).tokens) {
    if (token.text === '(' || token.text === '[') depth++;
    else if (token.text === ')' || token.text === ']') depth--;
    else if (depth === 0 && (token.text === ':=' || token.text === '=')) {
      return { target: query.slice(0, offsets[token.start]), value: query.slice(offsets[token.end]) };
    }
  }
  throw new EmbeddedCodeError('plpgsql', `no assignment in ${JSON.stringify(query)}`);
}

function sqlStatements(text: string): unknown[] {
  if (text.trim() === '') return [];
  try {
    return (parseSync(text).stmts ?? []).map((s) => s.stmt).filter((s) => s !== undefined);
  } catch (error) {
    throw new EmbeddedCodeError('sql', error instanceof Error ? error.message : String(error));
  }
}

/** An SQL function's statements: its SQL-standard body when it has one, else its prosrc. */
function sqlRoutineStatements(code: { source: string; definition?: string }): unknown[] {
  if (code.definition) {
    const create = rec(rec(sqlStatements(code.definition)[0])?.CreateFunctionStmt);
    const body = create?.sql_body;
    if (body !== undefined) {
      // BEGIN ATOMIC … END is a list holding one list of statements; RETURN expr a lone ReturnStmt.
      const outer = rec(rec(body)?.List)?.items;
      if (!Array.isArray(outer)) return [body];
      return outer.flatMap((inner) => {
        const items = rec(rec(inner)?.List)?.items;
        return Array.isArray(items) ? items : [];
      });
    }
  }
  return sqlStatements(code.source);
}
