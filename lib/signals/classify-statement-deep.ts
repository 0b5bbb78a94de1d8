import { EmbeddedCodeError, plpgsqlStatementsSync } from '../sql/plpgsql-statements';
import { classifyStatement, type ClassifyOptions, type ColumnTarget, type Usage } from './classify-statement';

/**
 * dynamic: the statement runs SQL the walk cannot read (a DO block's EXECUTE of a built string, a
 * DO block in another language or one that does not compile), so reads=false means "none seen", not "none".
 */
export type DeepUsage = Usage & { dynamic: boolean };

/**
 * classifyStatement, also inside a DO block: pg_stat_statements shows the block as one statement,
 * `DO $$ BEGIN PERFORM user_email FROM leads; END $$`, and the reads are in the string. Each statement
 * and expression of the block is classified with the same options, the usages added up.
 * Synchronous: a DoStmt tree comes from parseSql, which has loaded the parser.
 */
export function classifyStatementDeep(stmt: unknown, target: ColumnTarget, options: ClassifyOptions = {}): DeepUsage {
  const block = doBlock(stmt);
  if (!block) return { ...classifyStatement(stmt, target, options), dynamic: false };
  let found;
  try {
    found = plpgsqlStatementsSync({ kind: 'do', ...block });
  } catch (error) {
    if (!(error instanceof EmbeddedCodeError)) throw error;
    return { reads: false, writes: false, star: false, dynamic: true };
  }
  let explicit = false;
  let star = false;
  let writes = false;
  for (const inner of found.statements) {
    const usage = classifyStatement(inner, target, options);
    explicit ||= usage.reads && !usage.star;
    star ||= usage.star;
    writes ||= usage.writes;
  }
  return { reads: explicit || star, writes, star: star && !explicit, dynamic: found.dynamic };
}

type Rec = Record<string, unknown>;
const rec = (x: unknown): Rec | undefined => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Rec) : undefined);

/** A DoStmt's body and language: its args are DefElems `as` (the body) and, if given, `language`. */
function doBlock(stmt: unknown): { body: string; language?: string } | undefined {
  const args = rec(rec(stmt)?.DoStmt)?.args;
  if (!Array.isArray(args)) return undefined;
  let body: string | undefined;
  let language: string | undefined;
  for (const arg of args) {
    const def = rec(rec(arg)?.DefElem);
    const value = rec(rec(def?.arg)?.String)?.sval;
    if (typeof value !== 'string') continue;
    if (def?.defname === 'as') body = value;
    if (def?.defname === 'language') language = value;
  }
  return body === undefined ? undefined : { body, language };
}
