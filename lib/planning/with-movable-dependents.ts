import type { ClientBase } from 'pg';
import { readMovableDependents, type MovableDependent } from '../db/read-movable-dependents';
import { operationFor } from '../migrations/operations';
import { findTable, type ColumnDependent, type ColumnUses, type SchemaSnapshot, type UsesUnclear } from '../migrations/schema';
import type { TableColumn } from '../migrations/operation';
import type { OperationSpec } from '../migrations/types';
import { locateColumnUses } from '../sql/locate-column-uses';

const movable = (d: ColumnDependent, column: string) => d.column === column && (d.kind === 'policy' || d.kind === 'view');

async function locate(
  text: string | null,
  kind: 'expression' | 'query',
  on: TableColumn,
  root?: { schema: string; table: string },
): Promise<ColumnUses | UsesUnclear | null> {
  return text === null ? null : locateColumnUses({ text, kind, ...on, root });
}

const unclear = (r: ColumnUses | UsesUnclear | null): r is UsesUnclear => !!r && 'refused' in r;
const noUse: UsesUnclear = {
  refused: 'uses it only as part of the whole row, which the planner cannot move',
  advice: 'recreate it naming the column, then plan again',
};

async function toDependent(d: MovableDependent, on: TableColumn): Promise<ColumnDependent> {
  if (d.kind === 'policy') {
    const root = { schema: d.schema, table: d.table };
    const [using, withCheck] = await Promise.all([locate(d.using, 'expression', on, root), locate(d.withCheck, 'expression', on, root)]);
    const definition = [d.using && `USING (${d.using})`, d.withCheck && `WITH CHECK (${d.withCheck})`].filter(Boolean).join(' ');
    const found = [using, withCheck].flatMap((r) => (r && !unclear(r) ? r.uses : []));
    const rewrite = unclear(using)
      ? using
      : unclear(withCheck)
        ? withCheck
        : found.length === 0
          ? noUse
          : { kind: 'policy' as const, schema: d.schema, table: d.table, name: d.name, using, withCheck };
    return { column: on.column, kind: 'policy', name: d.name, definition, rewrite };
  }
  const name = `${d.schema}.${d.name}`;
  if (d.materialized) {
    const rewrite = {
      refused: 'is a materialized view (CREATE OR REPLACE cannot change one)',
      advice: 'drop it in a change of its own before the contract, and create it on the new column after',
    };
    return { column: on.column, kind: 'view', name, definition: d.query, rewrite };
  }
  const query = await locate(d.query, 'query', on);
  const rewrite = unclear(query)
    ? query
    : !query || query.uses.length === 0
      ? noUse
      : { kind: 'view' as const, schema: d.schema, name: d.name, query, options: d.options };
  return { column: on.column, kind: 'view', name, definition: d.query, rewrite };
}

/**
 * The snapshot with the policies and views that use the column a change removes read again,
 * deparsed so that they can be rewritten, and each use of the column in them located: what a
 * column swap needs to move them to the new column at contract, or the reason it cannot.
 */
export async function withMovableDependents(client: ClientBase, snapshot: SchemaSnapshot, spec: OperationSpec): Promise<SchemaSnapshot> {
  const legacy = operationFor(spec).legacyColumn(spec);
  const table = legacy && findTable(snapshot, legacy.schema, legacy.table);
  if (!legacy || !table || !table.dependents.some((d) => movable(d, legacy.column))) return snapshot;
  const found = await readMovableDependents(client, legacy.schema, legacy.table, legacy.column);
  const moved = await Promise.all(found.map((d) => toDependent(d, legacy)));
  const dependents = [...table.dependents.filter((d) => !movable(d, legacy.column)), ...moved];
  return { ...snapshot, tables: snapshot.tables.map((t) => (t === table ? { ...t, dependents } : t)) };
}
