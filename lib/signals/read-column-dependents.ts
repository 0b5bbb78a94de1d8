import type { ClientBase } from 'pg';
import { dependentName, type ColumnDependent } from '../gate/describe-dependent';
import { isProductRoutine } from '../migrations/product-routines';
import { PRODUCT_MARKER } from '../migrations/sql-text';
import type { ColumnTarget, SchemaName } from './classify-statement';
import { classifyStatementDeep } from './classify-statement-deep';
import { ensureParserLoaded } from '../sql/parse-sql';
import { EmbeddedCodeError, plpgsqlStatementsSync, type EmbeddedStatements } from '../sql/plpgsql-statements';

/*
 * Everything on the target that uses one column, read from its catalog. Views, materialized views,
 * policies, triggers (UPDATE OF, WHEN), generated columns and SQL-standard function bodies record
 * what they use in pg_depend; other function bodies are text, which Postgres never looks into, so
 * they are parsed (PL/pgSQL and SQL) and classified like sampled statements. Uses through another
 * dependent count too: a view on a view of the column, a function calling a function that reads
 * it, a policy reading such a view. The search runs until a round finds nothing new.
 */

interface FunctionRow {
  oid: string;
  schema: string;
  name: string;
  arguments: string;
  language: string;
  source: string;
  config: string[] | null;
}

interface DependRow {
  kind: ColumnDependent['kind'];
  oid: string;
  schema: string;
  name: string;
  on_table: string | null;
  arguments: string | null;
  ref: string;
}

const KIND_ORDER: readonly ColumnDependent['kind'][] = ['view', 'materialized view', 'policy', 'trigger', 'generated column', 'function'];

/**
 * The objects that use `column`, in a READ ONLY transaction. The product's own sync and fill
 * functions and triggers are left out (the contract drops them), and so are pg_catalog,
 * information_schema and functions in C. A column (or table) that does not exist has none.
 */
export async function readColumnDependents(client: ClientBase, column: ColumnTarget): Promise<ColumnDependent[]> {
  await ensureParserLoaded();
  await client.query('BEGIN READ ONLY');
  try {
    // Deparsed names (pg_get_functiondef of an SQL-standard body) come out qualified whatever the session had.
    await client.query('SET LOCAL search_path = pg_catalog');
    const target = await client.query<{ relid: string; attnum: number }>(
      `SELECT ${PRODUCT_MARKER} c.oid::text AS relid, a.attnum
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped`,
      [column.schema, column.table, column.column],
    );
    const row = target.rows[0];
    if (!row) return [];
    return await search(client, column, row.relid, row.attnum);
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

async function search(client: ClientBase, column: ColumnTarget, relid: string, attnum: number): Promise<ColumnDependent[]> {
  const functions = (await client.query<FunctionRow>(FUNCTIONS_SQL)).rows.filter((f) => !isProductRoutine(f.name));
  // NEW and OLD are rows of the table only in the functions its own triggers run.
  const onTable = new Set(
    (
      await client.query<{ fn: string }>(`SELECT ${PRODUCT_MARKER} DISTINCT tgfoid::text AS fn FROM pg_trigger WHERE tgrelid = $1::oid AND NOT tgisinternal`, [
        relid,
      ])
    ).rows.map((r) => r.fn),
  );
  const definitions = new Map<string, string>();
  const parsed = new Map<string, EmbeddedStatements>();

  // By kind and oid; readers and readerFunctions by oid, for what depends on them.
  const found = new Map<string, ColumnDependent>();
  const readers = new Map<string, ColumnDependent>();
  const readerFunctions = new Map<string, ColumnDependent>();
  const viaOf = (ref: string): string[] | undefined => {
    if (ref === relid) return [];
    const through = readers.get(ref) ?? readerFunctions.get(ref);
    return through ? [dependentName(through), ...(through.via ?? [])] : undefined;
  };
  /** Keeps the shortest way to the column; true when the object is new. */
  const add = (oid: string, d: ColumnDependent): boolean => {
    const key = `${d.kind}:${oid}`;
    const known = found.get(key);
    if (known && (known.via?.length ?? 0) <= (d.via?.length ?? 0)) return false;
    found.set(key, d);
    if (d.kind === 'view' || d.kind === 'materialized view') readers.set(oid, d);
    if (d.kind === 'function') readerFunctions.set(oid, d);
    return !known;
  };

  for (;;) {
    let grew = false;
    const { rows } = await client.query<DependRow>(DEPENDS_SQL, [relid, attnum, [...readers.keys()], [...readerFunctions.keys()]]);
    for (const r of rows) {
      if ((r.kind === 'trigger' || r.kind === 'function') && isProductRoutine(r.name)) continue;
      const via = viaOf(r.ref);
      if (via === undefined) continue;
      const d: ColumnDependent = { kind: r.kind, schema: r.schema, name: r.name };
      if (r.on_table !== null) d.table = r.on_table;
      if (r.arguments !== null) d.arguments = r.arguments;
      if (via.length > 0) d.via = via;
      grew = add(r.oid, d) || grew;
    }

    // Function bodies: only those that mention the table, the column or something reading it can use them.
    const names = [column.table, column.column, ...[...readers.values(), ...readerFunctions.values()].map((d) => d.name)].map((n) => n.toLowerCase());
    const candidates = functions.filter((f) => !readerFunctions.has(f.oid) && names.some((n) => f.source.toLowerCase().includes(n)));
    const missing = candidates.filter((f) => f.language === 'plpgsql' && !definitions.has(f.oid)).map((f) => f.oid);
    if (missing.length > 0) {
      const defs = await client.query<{ oid: string; definition: string }>(
        `SELECT ${PRODUCT_MARKER} oid::text AS oid, pg_get_functiondef(oid) AS definition FROM pg_proc WHERE oid = ANY($1::oid[])`,
        [missing],
      );
      for (const d of defs.rows) definitions.set(d.oid, d.definition);
    }
    const context = { column, readers: [...readers.values()], readerFunctions: [...readerFunctions] };
    for (const f of candidates) {
      let code = parsed.get(f.oid);
      if (!code) {
        code = embedded(f, definitions.get(f.oid));
        parsed.set(f.oid, code);
      }
      const verdict = judge(f, code, onTable.has(f.oid), context);
      if (verdict) grew = add(f.oid, { kind: 'function', schema: f.schema, name: f.name, arguments: f.arguments, ...verdict }) || grew;
    }
    if (!grew) break;
  }

  return [...found.values()].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compare(a.schema, b.schema) || compare(dependentName(a), dependentName(b)),
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A body that does not compile (or a grammar this parser lacks) is as unreadable as dynamic SQL. */
function embedded(f: FunctionRow, definition: string | undefined): EmbeddedStatements {
  try {
    return plpgsqlStatementsSync({ kind: 'routine', language: f.language, source: f.source, definition });
  } catch (error) {
    if (error instanceof EmbeddedCodeError) return { statements: [], dynamic: true };
    throw error;
  }
}

interface JudgeContext {
  column: ColumnTarget;
  readers: readonly ColumnDependent[];
  /** By oid, so that a function is never its own way to the column. */
  readerFunctions: readonly (readonly [string, ColumnDependent])[];
}

/** Whether a function's statements use the column, directly or through one reader (named in via); null when not. */
function judge(f: FunctionRow, code: EmbeddedStatements, triggerOnTable: boolean, ctx: JudgeContext): Pick<ColumnDependent, 'via' | 'star' | 'dynamic'> | null {
  const schemaName = (d: ColumnDependent): SchemaName => ({ schema: d.schema, name: d.name });
  // Unset, the path is the caller's, unknown here: any schema a reader lives in may be on it.
  const searchPath = configuredSearchPath(f.config) ?? [
    ...new Set([ctx.column.schema, ...[...ctx.readers, ...ctx.readerFunctions.map(([, d]) => d)].map((d) => d.schema)]),
  ];
  const rowVariables = triggerOnTable ? ['new', 'old'] : [];
  const usage = (readers: readonly ColumnDependent[], readerFunctions: readonly ColumnDependent[]) => {
    let explicit = false;
    let star = false;
    let dynamic = code.dynamic;
    for (const stmt of code.statements) {
      const u = classifyStatementDeep(stmt, ctx.column, {
        searchPath,
        rowVariables,
        readers: readers.map(schemaName),
        readerFunctions: readerFunctions.map(schemaName),
      });
      explicit ||= u.writes || (u.reads && !u.star);
      star ||= u.star;
      dynamic ||= u.dynamic;
    }
    return { explicit, star, dynamic };
  };
  const direct = usage([], []);
  if (direct.explicit) return {};
  // Which reader it goes through, for the reason shown: the first that alone makes it a use.
  for (const reader of ctx.readers) if (usage([reader], []).explicit) return { via: [dependentName(reader), ...(reader.via ?? [])] };
  for (const [oid, fn] of ctx.readerFunctions) if (oid !== f.oid && usage([], [fn]).explicit) return { via: [dependentName(fn), ...(fn.via ?? [])] };
  if (direct.dynamic && f.source.toLowerCase().includes(ctx.column.table.toLowerCase())) return { dynamic: true };
  if (direct.star) return { star: true };
  return null;
}

/** A function's own `SET search_path`, as Postgres splits it: unquoted names fold to lower case, "$user" names no fixed schema. */
function configuredSearchPath(config: string[] | null): string[] | undefined {
  const setting = config?.find((c) => c.startsWith('search_path='));
  if (setting === undefined) return undefined;
  const schemas: string[] = [];
  for (const match of setting.slice('search_path='.length).matchAll(/\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)/g)) {
    const name = match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]?.toLowerCase();
    if (name && name !== '$user') schemas.push(name);
  }
  return schemas;
}

const FUNCTIONS_SQL = `SELECT ${PRODUCT_MARKER} p.oid::text AS oid, n.nspname::text AS schema, p.proname::text AS name,
       pg_get_function_identity_arguments(p.oid) AS arguments, l.lanname::text AS language, p.prosrc AS source, p.proconfig AS config
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE p.prokind IN ('f', 'p') AND l.lanname NOT IN ('internal', 'c')
   AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;

/**
 * What pg_depend says uses the column ($1, $2), or any part of a relation ($3) or any function ($4)
 * already found to use it. Views record each column they select (a view made with * too: Postgres
 * expands it when it stores the view), triggers their UPDATE OF columns, their WHEN clause and their
 * function, generated columns their expression; functions only when their body is SQL-standard.
 */
const DEPENDS_SQL = `WITH ${PRODUCT_MARKER} dep AS (
  SELECT DISTINCT d.classid, d.objid, d.refobjid
    FROM pg_depend d
   WHERE d.deptype = 'n'
     AND ((d.refclassid = 'pg_class'::regclass AND d.refobjid = $1::oid AND d.refobjsubid = $2)
       OR (d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($3::oid[]))
       OR (d.refclassid = 'pg_proc'::regclass AND d.refobjid = ANY($4::oid[])))
)
SELECT * FROM (
  SELECT CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END AS kind, v.oid::text AS oid, vn.nspname::text AS schema,
         v.relname::text AS name, NULL::text AS on_table, NULL::text AS arguments, dep.refobjid::text AS ref
    FROM dep JOIN pg_rewrite r ON r.oid = dep.objid JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
   -- A view's rule also depends on the view itself.
   WHERE dep.classid = 'pg_rewrite'::regclass AND v.relkind IN ('v', 'm') AND v.oid <> dep.refobjid
  UNION ALL
  SELECT 'policy', pol.oid::text, pn.nspname::text, pol.polname::text, pc.relname::text, NULL, dep.refobjid::text
    FROM dep JOIN pg_policy pol ON pol.oid = dep.objid JOIN pg_class pc ON pc.oid = pol.polrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
   WHERE dep.classid = 'pg_policy'::regclass
  UNION ALL
  SELECT 'trigger', t.oid::text, tn.nspname::text, t.tgname::text, tc.relname::text, NULL, dep.refobjid::text
    FROM dep JOIN pg_trigger t ON t.oid = dep.objid JOIN pg_class tc ON tc.oid = t.tgrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
   WHERE dep.classid = 'pg_trigger'::regclass AND NOT t.tgisinternal
  UNION ALL
  SELECT 'generated column', ad.oid::text, an.nspname::text, a.attname::text, ac.relname::text, NULL, dep.refobjid::text
    FROM dep JOIN pg_attrdef ad ON ad.oid = dep.objid
    JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    JOIN pg_class ac ON ac.oid = ad.adrelid JOIN pg_namespace an ON an.oid = ac.relnamespace
   WHERE dep.classid = 'pg_attrdef'::regclass AND a.attgenerated <> ''
  UNION ALL
  SELECT 'function', p.oid::text, fn.nspname::text, p.proname::text, NULL, pg_get_function_identity_arguments(p.oid), dep.refobjid::text
    FROM dep JOIN pg_proc p ON p.oid = dep.objid JOIN pg_namespace fn ON fn.oid = p.pronamespace
   WHERE dep.classid = 'pg_proc'::regclass
) found`;
