import { DEFAULT_SCHEMA } from '../lint/detect-breaking-changes';

/*
 * Tells whether one statement (as pg_stat_statements shows it, parsed by parseSql) reads or writes one
 * column of one table: the legacy column an expand-contract change is about to drop. The walk is over
 * libpg-query's raw parse tree, before any catalog lookup, so it cannot know which columns other tables
 * have. Where that decides the answer it says "used": a false "used" only delays a contract, a false
 * "unused" drops a column that running code still needs.
 */

/** The column, as the catalog spells it (quoted identifiers keep their case, unquoted ones are lower case). */
export interface ColumnTarget {
  schema: string;
  table: string;
  column: string;
}

/**
 * reads: the statement reads the column (or every column, see star).
 * writes: it assigns the column, by name or by position (INSERT/COPY without a column list).
 * star: the only reads are `*`, `t.*` or a whole-row reference (`to_jsonb(t)`): the column is not
 * named, but the result changes shape when it goes.
 */
export type Usage = { reads: boolean; writes: boolean; star: boolean };

/** A relation or function as the catalog spells it. */
export interface SchemaName {
  schema: string;
  name: string;
}

export interface ClassifyOptions {
  /** Schemas an unqualified table name may resolve to; the target matches when its schema is among them. */
  searchPath?: readonly string[];
  /**
   * Relations (views, materialized views) built on the column: any reference to one, in FROM, a join,
   * a subquery or as the relation of INSERT/UPDATE/DELETE/COPY, counts as a read of it. The walk cannot
   * tell which of the view's columns come from the legacy one, so it takes them all.
   */
  readers?: readonly SchemaName[];
  /** Functions and procedures whose code uses the column: a call of one, any overload, anywhere (FROM too), counts as a read. */
  readerFunctions?: readonly SchemaName[];
  /**
   * Names that stand for a row of the target table throughout the statement: NEW and OLD in a
   * trigger function on it. Only their fields count (NEW.user_email, NEW.*); a bare name is the
   * variable, which returning or passing on does not read the column.
   */
  rowVariables?: readonly string[];
}

export function classifyStatement(stmt: unknown, target: ColumnTarget, options: ClassifyOptions = {}): Usage {
  const classifier = new Classifier(target, options);
  const rows = (options.rowVariables ?? []).map((refname): Entry => ({ refname: refname.toLowerCase(), qualifiable: false, target: true, fieldsOnly: true }));
  classifier.statement(stmt, { entries: rows, parent: null, ctes: new Map() });
  const { explicitRead, starRead, write } = classifier;
  return { reads: explicitRead || starRead, writes: write, star: starRead && !explicitRead };
}

type Rec = Record<string, unknown>;

const rec = (x: unknown): Rec | undefined => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Rec) : undefined);
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
/** The payload of a node of that kind ({ SelectStmt: {…} } → {…}), if it is one. */
const node = (x: unknown, kind: string): Rec | undefined => rec(rec(x)?.[kind]);
const sval = (x: unknown): string | undefined => str(node(x, 'String')?.sval);
const isStar = (x: unknown): boolean => node(x, 'A_Star') !== undefined;
const aliasOf = (x: unknown) => {
  const alias = rec(x);
  return { name: str(alias?.aliasname), colnames: list(alias?.colnames).map(sval) };
};

/** One FROM item as column references see it. */
interface Entry {
  /** The name references qualify columns with: the alias, else the relation's name; null when it has none. */
  refname: string | null;
  /** Whether `schema.table.column` can name it: tables referenced without an alias. */
  qualifiable: boolean;
  /** The schema it was found in, when known. */
  schema?: string;
  /** A column named like the legacy one here is the legacy column: the table itself, EXCLUDED, OLD/NEW, or a subquery passing it through. */
  target: boolean;
  /** Output columns of a subquery or CTE when the walk can tell them; undefined for tables and functions. */
  columns?: ReadonlySet<string>;
  /** A row variable (see ClassifyOptions.rowVariables): reached by qualified names only. */
  fieldsOnly?: boolean;
}

interface Cte {
  columns?: ReadonlySet<string>;
  target: boolean;
}

/** One query level: its FROM items, the level around it (correlated references) and the CTEs in sight. */
interface Scope {
  entries: Entry[];
  parent: Scope | null;
  ctes: ReadonlyMap<string, Cte>;
  /** Unqualified names resolve nowhere past this level (the ORDER BY of a UNION sees only its output). */
  stop?: boolean;
}

type Verdict = 'read' | 'star' | 'other' | 'none';

class Classifier {
  explicitRead = false;
  starRead = false;
  write = false;

  private readonly searchPath: readonly string[];

  constructor(
    private readonly target: ColumnTarget,
    private readonly options: ClassifyOptions,
  ) {
    this.searchPath = options.searchPath ?? [DEFAULT_SCHEMA];
  }

  /** Walks any statement node; returns whether its output passes the legacy column on (for subqueries and CTEs). */
  statement(n: unknown, outer: Scope, ignoreStar = false): boolean {
    const r = rec(n);
    if (!r) return false;
    const select = rec(r.SelectStmt);
    if (select) return this.select(select, outer, ignoreStar);
    const insert = rec(r.InsertStmt);
    if (insert) return this.insert(insert, outer);
    const update = rec(r.UpdateStmt);
    if (update) return this.update(update, outer);
    const del = rec(r.DeleteStmt);
    if (del) return this.delete(del, outer);
    const merge = rec(r.MergeStmt);
    if (merge) return this.merge(merge, outer);
    const copy = rec(r.CopyStmt);
    if (copy) {
      this.copy(copy, outer);
      return false;
    }
    // CALL holds its FuncCall without the envelope the walk looks for.
    if (this.callsReader(rec(rec(r.CallStmt)?.funccall)?.funcname)) this.explicitRead = true;
    // EXPLAIN, CREATE TABLE AS, PREPARE, DECLARE …: whatever query they hold is found by the walk.
    this.expr(r, outer);
    return false;
  }

  private select(s: Rec, outer: Scope, ignoreStar: boolean): boolean {
    const withScope = this.withClause(s.withClause, outer);
    if (str(s.op) !== undefined && s.op !== 'SETOP_NONE') {
      // Set-operation branches come unwrapped, without the { SelectStmt } envelope.
      const left = this.select(rec(s.larg) ?? {}, withScope, ignoreStar);
      const right = this.select(rec(s.rarg) ?? {}, withScope, ignoreStar);
      const output: Scope = { entries: [], parent: withScope, ctes: withScope.ctes, stop: true };
      this.expr([s.sortClause, s.limitOffset, s.limitCount], output);
      return left || right;
    }
    const scope: Scope = { entries: [], parent: withScope, ctes: withScope.ctes };
    for (const item of list(s.fromClause)) this.fromItem(item, scope);
    this.expr(s.valuesLists, scope);
    const exposes = this.targetList(s.targetList, scope, ignoreStar);
    this.expr([s.whereClause, s.groupClause, s.havingClause, s.windowClause, s.limitOffset, s.limitCount], scope);
    // In ORDER BY and DISTINCT ON a bare name is an output column first: `SELECT email AS user_email … ORDER BY user_email`.
    const aliases = new Set(list(s.targetList).map((t) => str(node(t, 'ResTarget')?.name)));
    for (const item of [...list(s.sortClause), ...list(s.distinctClause)]) {
      const expression = node(item, 'SortBy')?.node ?? item;
      const fields = list(node(expression, 'ColumnRef')?.fields);
      if (fields.length === 1 && aliases.has(sval(fields[0]))) continue;
      this.expr(expression, scope);
    }
    return exposes;
  }

  /** A SELECT list or RETURNING list; returns whether it passes the legacy column on under its own name. */
  private targetList(items: unknown, scope: Scope, ignoreStar = false): boolean {
    let exposes = false;
    for (const item of list(items)) {
      const t = node(item, 'ResTarget');
      const ref = node(t?.val, 'ColumnRef');
      if (!ref) {
        this.expr(t?.val, scope);
        continue;
      }
      const fields = list(ref.fields);
      // EXISTS (SELECT * …) returns no columns: its star reads nothing.
      if (ignoreStar && fields.length === 1 && isStar(fields[0])) continue;
      const verdict = this.columnRef(fields, scope);
      const name = str(t?.name);
      if (verdict === 'star' || (verdict === 'read' && (name === undefined || name === this.target.column))) exposes = true;
    }
    return exposes;
  }

  private withClause(w: unknown, outer: Scope): Scope {
    const clause = node(w, 'WithClause') ?? rec(w);
    if (!clause) return outer;
    const ctes = new Map(outer.ctes);
    const scope: Scope = { ...outer, ctes };
    const items = list(clause.ctes)
      .map((c) => node(c, 'CommonTableExpr'))
      .filter((c) => c !== undefined);
    // A recursive WITH sees all its CTEs, each its own name included; a plain one only the earlier ones.
    if (clause.recursive === true) {
      for (const cte of items) {
        const name = str(cte.ctename);
        if (name) ctes.set(name, { columns: cteColumns(cte), target: false });
      }
    }
    for (const cte of items) {
      const name = str(cte.ctename);
      const exposes = this.statement(cte.ctequery, scope);
      if (name) ctes.set(name, { columns: cteColumns(cte), target: exposes });
    }
    return scope;
  }

  private fromItem(item: unknown, scope: Scope): void {
    const r = rec(item);
    if (!r) return;
    const rangeVar = rec(r.RangeVar);
    if (rangeVar) {
      scope.entries.push(this.rangeVarEntry(rangeVar, scope));
      return;
    }
    const sub = rec(r.RangeSubselect);
    if (sub) {
      const alias = aliasOf(sub.alias);
      // Only a LATERAL subquery sees the FROM items before it; any subquery sees the levels around.
      const sees = sub.lateral === true ? scope : { entries: [], parent: scope.parent, ctes: scope.ctes };
      const exposes = this.statement(sub.subquery, sees);
      const columns = alias.colnames.length > 0 ? names(alias.colnames) : outputColumns(sub.subquery);
      scope.entries.push({ refname: alias.name ?? null, qualifiable: false, target: exposes, columns });
      return;
    }
    const join = rec(r.JoinExpr);
    if (join) {
      const before = scope.entries.length;
      this.fromItem(join.larg, scope);
      this.fromItem(join.rarg, scope);
      const sides = scope.entries.slice(before);
      const joinsTarget = sides.some((e) => e.target);
      // USING (user_email) compares the column; NATURAL may, for all the walk knows of the other side.
      if (joinsTarget && (join.isNatural === true || list(join.usingClause).some((u) => sval(u) === this.target.column))) this.explicitRead = true;
      this.expr(join.quals, scope);
      const alias = aliasOf(join.alias);
      // An aliased join hides the names of its sides.
      if (alias.name) scope.entries.splice(before, sides.length, { refname: alias.name, qualifiable: false, target: joinsTarget });
      return;
    }
    const sample = rec(r.RangeTableSample);
    if (sample) {
      this.fromItem(sample.relation, scope);
      this.expr(sample.args, scope);
      this.expr(sample.repeatable, scope);
      return;
    }
    // Functions in FROM (implicitly lateral), XMLTABLE, JSON_TABLE: their arguments are expressions over the items before.
    const [payload] = Object.values(r);
    this.expr(payload, scope);
    scope.entries.push({ refname: aliasOf(rec(payload)?.alias).name ?? null, qualifiable: false, target: false });
  }

  private rangeVarEntry(rv: Rec, scope: Scope): Entry {
    const relname = str(rv.relname) ?? '';
    const schemaname = str(rv.schemaname);
    const alias = aliasOf(rv.alias);
    const refname = alias.name ?? relname;
    const cte = schemaname === undefined ? scope.ctes.get(relname) : undefined;
    if (cte) {
      const columns = alias.colnames.length > 0 ? names(alias.colnames) : cte.columns;
      return { refname, qualifiable: false, target: cte.target, columns };
    }
    const target = this.isTarget(rv);
    if (this.named(rv.schemaname, rv.relname, this.options.readers)) this.explicitRead = true;
    // `FROM leads AS l(a, b, c)` names columns by position: dropping one renames the ones after it.
    if (target && alias.colnames.length > 0) this.starRead = true;
    return { refname, qualifiable: alias.name === undefined, schema: target ? this.target.schema : schemaname, target };
  }

  /** The relation of INSERT/UPDATE/DELETE/MERGE: always a table, never a CTE. */
  private relationEntry(rv: Rec | undefined): Entry {
    if (!rv) return { refname: null, qualifiable: false, target: false };
    return this.rangeVarEntry(rv, { entries: [], parent: null, ctes: new Map() });
  }

  /** An unqualified name matches when the target's schema is on the search path: the walk cannot know if an earlier schema has a table of that name too. */
  private isTarget(rv: Rec): boolean {
    return this.named(rv.schemaname, rv.relname, [{ schema: this.target.schema, name: this.target.table }]);
  }

  /** Whether `schema.name` (schema optional) can be one of these, by the same rule as isTarget. */
  private named(schemaname: unknown, relname: unknown, among: readonly SchemaName[] | undefined): boolean {
    const name = str(relname);
    const schema = str(schemaname);
    return (among ?? []).some((r) => r.name === name && (schema === undefined ? this.searchPath.includes(r.schema) : schema === r.schema));
  }

  /** A call of a function that uses the column; funcname is [name] or [schema, name] (or [catalog, schema, name]). */
  private callsReader(funcname: unknown): boolean {
    const parts = list(funcname).map(sval);
    return this.named(parts.length > 1 ? parts.at(-2) : undefined, parts.at(-1), this.options.readerFunctions);
  }

  private insert(ins: Rec, outer: Scope): boolean {
    const scope = this.withClause(ins.withClause, outer);
    const entry = this.relationEntry(rec(ins.relation));
    const cols = list(ins.cols).map((c) => node(c, 'ResTarget'));
    if (entry.target) {
      // Without a column list, VALUES and SELECT fill columns by position, the legacy one among them; DEFAULT VALUES names none.
      if (cols.length === 0 ? ins.selectStmt !== undefined : cols.some((c) => str(c?.name) === this.target.column)) this.write = true;
    }
    this.expr(
      cols.map((c) => c?.indirection),
      scope,
    );
    // The rows come from a query that does not see the table being inserted into.
    this.statement(ins.selectStmt, scope);

    const own: Scope = { entries: [entry], parent: scope, ctes: scope.ctes };
    const conflict = rec(ins.onConflictClause);
    if (conflict) {
      const infer = rec(conflict.infer);
      for (const elem of list(infer?.indexElems)) {
        const e = node(elem, 'IndexElem');
        if (entry.target && str(e?.name) === this.target.column) this.explicitRead = true;
        this.expr(e?.expr, own);
      }
      this.expr(infer?.whereClause, own);
      const excluded: Entry = { refname: 'excluded', qualifiable: false, target: entry.target };
      const doUpdate: Scope = { entries: [entry, excluded], parent: scope, ctes: scope.ctes };
      this.assignments(conflict.targetList, entry, doUpdate);
      this.expr(conflict.whereClause, doUpdate);
    }
    return this.returning(ins, own, entry);
  }

  private update(upd: Rec, outer: Scope): boolean {
    const withScope = this.withClause(upd.withClause, outer);
    const entry = this.relationEntry(rec(upd.relation));
    const scope: Scope = { entries: [entry], parent: withScope, ctes: withScope.ctes };
    for (const item of list(upd.fromClause)) this.fromItem(item, scope);
    this.assignments(upd.targetList, entry, scope);
    this.expr(upd.whereClause, scope);
    return this.returning(upd, scope, entry);
  }

  private delete(del: Rec, outer: Scope): boolean {
    const withScope = this.withClause(del.withClause, outer);
    const entry = this.relationEntry(rec(del.relation));
    const scope: Scope = { entries: [entry], parent: withScope, ctes: withScope.ctes };
    for (const item of list(del.usingClause)) this.fromItem(item, scope);
    this.expr(del.whereClause, scope);
    return this.returning(del, scope, entry);
  }

  private merge(m: Rec, outer: Scope): boolean {
    const withScope = this.withClause(m.withClause, outer);
    const entry = this.relationEntry(rec(m.relation));
    const scope: Scope = { entries: [entry], parent: withScope, ctes: withScope.ctes };
    this.fromItem(m.sourceRelation, scope);
    this.expr(m.joinCondition, scope);
    for (const item of list(m.mergeWhenClauses)) {
      const when = node(item, 'MergeWhenClause');
      if (!when) continue;
      this.expr(when.condition, scope);
      if (when.commandType === 'CMD_INSERT') {
        const cols = list(when.targetList).map((c) => node(c, 'ResTarget'));
        const values = list(when.values);
        if (entry.target && (cols.length === 0 ? values.length > 0 : cols.some((c) => str(c?.name) === this.target.column))) this.write = true;
        this.expr(values, scope);
      } else {
        this.assignments(when.targetList, entry, scope);
      }
    }
    return this.returning(m, scope, entry);
  }

  private copy(c: Rec, outer: Scope): void {
    this.statement(c.query, outer);
    const rv = rec(c.relation);
    if (!rv) return;
    const entry = this.relationEntry(rv);
    this.expr(c.whereClause, { entries: [entry], parent: outer, ctes: outer.ctes });
    if (!entry.target) return;
    const cols = list(c.attlist).map(sval);
    const from = c.is_from === true;
    if (cols.length === 0) {
      // COPY … FROM fills every column by position; COPY … TO writes out every column, as * does.
      if (from) this.write = true;
      else this.starRead = true;
    } else if (cols.includes(this.target.column)) {
      if (from) this.write = true;
      else this.explicitRead = true;
    }
  }

  /** SET lists of UPDATE, ON CONFLICT DO UPDATE and MERGE … UPDATE. */
  private assignments(items: unknown, entry: Entry, scope: Scope): void {
    for (const item of list(items)) {
      const t = node(item, 'ResTarget');
      if (entry.target && str(t?.name) === this.target.column) {
        this.write = true;
        // SET user_email[1] = … or SET (user_email).f = … changes part of the old value: it reads it too.
        if (list(t?.indirection).length > 0) this.explicitRead = true;
      }
      this.expr([t?.indirection, t?.val], scope);
    }
  }

  /** RETURNING sees the statement's FROM items and, since Postgres 18, the row before and after as OLD and NEW. */
  private returning(s: Rec, scope: Scope, entry: Entry): boolean {
    const clause = rec(s.returningClause);
    const items = clause ? clause.exprs : s.returningList;
    if (list(items).length === 0) return false;
    let oldName = 'old';
    let newName = 'new';
    for (const o of list(clause?.options)) {
      const option = node(o, 'ReturningOption');
      const value = str(option?.value);
      if (option?.option === 'RETURNING_OPTION_OLD' && value) oldName = value;
      if (option?.option === 'RETURNING_OPTION_NEW' && value) newName = value;
    }
    const rows = [oldName, newName].map((refname): Entry => ({ refname, qualifiable: false, target: entry.target }));
    return this.targetList(items, { ...scope, entries: [...scope.entries, ...rows] });
  }

  /** Walks an expression (or any subtree), resolving column references and descending into subqueries. */
  private expr(n: unknown, scope: Scope): void {
    if (Array.isArray(n)) {
      for (const x of n) this.expr(x, scope);
      return;
    }
    const r = rec(n);
    if (!r) return;
    for (const [key, value] of Object.entries(r)) {
      switch (key) {
        case 'ColumnRef':
          this.columnRef(list(rec(value)?.fields), scope);
          break;
        case 'FuncCall':
          if (this.callsReader(rec(value)?.funcname)) this.explicitRead = true;
          this.expr(value, scope);
          break;
        case 'SubLink': {
          const link = rec(value);
          this.expr(link?.testexpr, scope);
          this.statement(link?.subselect, scope, link?.subLinkType === 'EXISTS_SUBLINK');
          break;
        }
        case 'SelectStmt':
        case 'InsertStmt':
        case 'UpdateStmt':
        case 'DeleteStmt':
        case 'MergeStmt':
        case 'CopyStmt':
          this.statement({ [key]: value }, scope);
          break;
        default:
          this.expr(value, scope);
      }
    }
  }

  private columnRef(fields: unknown[], scope: Scope): Verdict {
    const verdict = this.resolve(fields, scope);
    if (verdict === 'read') this.explicitRead = true;
    if (verdict === 'star') this.starRead = true;
    return verdict;
  }

  private resolve(fields: unknown[], scope: Scope): Verdict {
    const last = fields.at(-1);
    if (fields.length === 1) {
      // `*` expands the FROM items of its own level only.
      if (isStar(last)) return scope.entries.some((e) => e.target && !e.fieldsOnly) ? 'star' : 'other';
      const name = sval(last);
      return name === undefined ? 'none' : this.unqualified(name, scope);
    }
    const relname = sval(fields.at(-2));
    const schema = fields.length >= 3 ? sval(fields.at(-3)) : undefined;
    if (relname === undefined) return 'none';
    for (let s: Scope | null = scope; s; s = s.parent) {
      const entry = s.entries.find(
        (e) => e.refname === relname && (schema === undefined || (e.qualifiable && (e.schema === undefined || e.schema === schema))),
      );
      if (!entry) continue;
      if (!entry.target) return 'other';
      if (isStar(last)) return 'star';
      return sval(last) === this.target.column ? 'read' : 'other';
    }
    return 'none';
  }

  /**
   * Postgres binds a bare name at the innermost level where some FROM item has that column. Levels with the
   * target: the legacy column wins (another item with that column too would make the query ambiguous, so
   * it could not have run). Levels without it: a subquery or CTE known to have the column stops the search,
   * tables might have it or not, so the search goes on outward and may count a read that is not one.
   */
  private unqualified(name: string, scope: Scope): Verdict {
    for (let s: Scope | null = scope; s; s = s.parent) {
      if (s.stop) return 'none';
      if (name === this.target.column && s.entries.some((e) => e.target && !e.fieldsOnly)) return 'read';
      if (s.entries.some((e) => e.columns?.has(name))) return 'other';
      // A bare FROM-item name is its whole row: to_jsonb(l), SELECT l FROM leads l.
      const row = s.entries.find((e) => e.refname === name && !e.fieldsOnly);
      if (row) return row.target ? 'star' : 'other';
    }
    return 'none';
  }
}

const names = (xs: readonly (string | undefined)[]): ReadonlySet<string> => new Set(xs.filter((x): x is string => x !== undefined));

function cteColumns(cte: Rec): ReadonlySet<string> | undefined {
  const aliased = list(cte.aliascolnames).map(sval);
  return aliased.length > 0 ? names(aliased) : outputColumns(cte.ctequery);
}

/** Output column names of a query when the tree alone tells them (no star); undefined otherwise. */
function outputColumns(n: unknown): ReadonlySet<string> | undefined {
  const s = node(n, 'SelectStmt');
  return s ? selectOutput(s) : undefined;
}

function selectOutput(s: Rec): ReadonlySet<string> | undefined {
  if (str(s.op) !== undefined && s.op !== 'SETOP_NONE') return selectOutput(rec(s.larg) ?? {});
  const values = list(s.valuesLists);
  if (values.length > 0) return names(list(node(values[0], 'List')?.items).map((_, i) => `column${i + 1}`));
  const out: (string | undefined)[] = [];
  for (const item of list(s.targetList)) {
    const t = node(item, 'ResTarget');
    const fields = list(node(t?.val, 'ColumnRef')?.fields);
    if (!t?.name && isStar(fields.at(-1))) return undefined;
    // Other expressions get names like ?column? or the function's: leaving them out only makes the search go on.
    out.push(str(t?.name) ?? sval(fields.at(-1)));
  }
  return names(out);
}
