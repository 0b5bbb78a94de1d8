/** An object on the target that uses the legacy column, as readColumnDependents finds it in the catalog. */
export interface ColumnDependent {
  kind: 'view' | 'materialized view' | 'policy' | 'function' | 'trigger' | 'generated column';
  schema: string;
  /** The object's name; a generated column's column name. */
  name: string;
  /** The table a policy, trigger or generated column is on. */
  table?: string;
  /** A function's argument types (pg_get_function_identity_arguments), which tell overloads apart. */
  arguments?: string;
  /** What it reaches the column through, nearest first: `public.lead_emails`, `public.lead_count()`. */
  via?: string[];
  /** A function that reads the column only through `*` or a whole row. */
  star?: boolean;
  /** A function that runs SQL built at run time (EXECUTE) and mentions the table: what it does cannot be read. */
  dynamic?: boolean;
}

/** The column a dependent uses, as the catalog spells it. */
export interface DependentColumn {
  schema: string;
  table: string;
  column: string;
}

/** `public.lead_count(integer)` for a function, `public.lead_emails` for anything else. */
export const dependentName = (d: ColumnDependent): string =>
  d.kind === 'function'
    ? `${d.schema}.${d.name}(${d.arguments ?? ''})`
    : d.table && d.kind === 'generated column'
      ? `${d.schema}.${d.table}.${d.name}`
      : `${d.schema}.${d.name}`;

/** One line for a person: what uses the column, how, and what to do about it before the contract. */
export function describeDependent(d: ColumnDependent, column: DependentColumn): string {
  const col = `${column.schema}.${column.table}.${column.column}`;
  const through = d.via?.length ? ` through ${d.via.join(', then ')}` : '';
  const name = dependentName(d);
  switch (d.kind) {
    case 'view':
    case 'materialized view':
      return `${d.kind} ${name} reads ${col}${through}: recreate it on the new column before the contract (or let the plan move it)`;
    case 'policy':
      return `policy ${d.name} on ${d.schema}.${d.table} reads ${col}${through}: recreate it on the new column before the contract (or let the plan move it)`;
    case 'generated column':
      return `generated column ${name} is computed from ${col}${through}: recreate it from the new column before the contract`;
    case 'trigger':
      return d.via?.length
        ? `trigger ${d.name} on ${d.schema}.${d.table} runs ${d.via[0]}, which uses ${col}${d.via.length > 1 ? ` through ${d.via.slice(1).join(', then ')}` : ''}: update the function to the new column`
        : `trigger ${d.name} on ${d.schema}.${d.table} fires on ${col} (UPDATE OF or WHEN): recreate it on the new column before the contract`;
    case 'function':
      if (d.dynamic) {
        return `function ${name} runs SQL built at run time that mentions ${column.schema}.${column.table}: check whether it uses ${column.column}, and update it to the new column if it does`;
      }
      if (d.star)
        return `function ${name} reads every column of ${column.schema}.${column.table} (* or a whole row)${through}: check that it works without ${column.column}`;
      return `function ${name} uses ${col}${through}: update it to the new column`;
  }
}
