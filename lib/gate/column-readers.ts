import type { ColumnDependent } from './describe-dependent';

/** A relation or function as the catalog spells it. */
export interface ReaderName {
  schema: string;
  name: string;
}

/**
 * The dependents through which running code can still read the column without naming it, in the
 * shape classifyStatement's options take: a query of a view built on it (`SELECT count(*) FROM
 * lead_emails`) or a call of a function that uses it (`SELECT lead_count()`) counts as a read.
 * A function whose SQL is built at run time is in too: a false "used" only delays a contract.
 */
export function columnReaders(dependents: readonly ColumnDependent[]): { readers: ReaderName[]; readerFunctions: ReaderName[] } {
  const names = (kinds: readonly ColumnDependent['kind'][]) => {
    const seen = new Map<string, ReaderName>();
    for (const d of dependents) if (kinds.includes(d.kind)) seen.set(JSON.stringify([d.schema, d.name]), { schema: d.schema, name: d.name });
    return [...seen.values()];
  };
  return { readers: names(['view', 'materialized view']), readerFunctions: names(['function']) };
}
