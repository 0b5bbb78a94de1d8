import type { SchemaSnapshot } from '@/lib/migrations/schema';
import { formatBytes, formatCount } from './format';

export function SchemaTables({ snapshot }: { snapshot: SchemaSnapshot }) {
  if (snapshot.tables.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
        No tables in schema(s) {snapshot.schemas.join(', ')} of the target database. Set EC_TARGET_SCHEMAS to list other schemas.
      </p>
    );
  }
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {snapshot.tables.map((table) => (
        <section
          key={`${table.schema}.${table.name}`}
          data-testid="schema-table"
          data-table={`${table.schema}.${table.name}`}
          className="min-w-0 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm"
        >
          <header className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 border-b border-slate-100 px-4 py-2.5">
            <h3 className="font-mono text-sm font-semibold wrap-anywhere">
              <span className="text-slate-400">{table.schema}.</span>
              {table.name}
            </h3>
            <p className="text-xs text-slate-500">
              {table.estimatedRows === null ? 'rows unknown (never analysed)' : `~${formatCount(table.estimatedRows)} rows`} · {formatBytes(table.totalBytes)}
              {table.primaryKey.length === 0 && <span className="ml-2 font-medium text-amber-700">no primary key</span>}
            </p>
          </header>
          {/* A wide table scrolls inside its card on a phone; the page itself never does. */}
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-4 py-1.5 font-medium">column</th>
                  <th className="px-4 py-1.5 font-medium">type</th>
                  <th className="px-4 py-1.5 font-medium">null</th>
                  <th className="px-4 py-1.5 font-medium">default</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {table.columns.map((col) => (
                  <tr key={col.name} data-testid="schema-column" data-column={col.name}>
                    <td className="px-4 py-1.5 font-mono text-xs">
                      {col.name}
                      {table.primaryKey.includes(col.name) && (
                        <span className="ml-1.5 rounded bg-indigo-50 px-1 py-px text-[10px] font-semibold text-indigo-700" title="primary key">
                          PK
                        </span>
                      )}
                    </td>
                    <td className="px-4 py-1.5 font-mono text-xs text-slate-700">{col.type}</td>
                    <td className="px-4 py-1.5 text-xs">{col.nullable ? 'yes' : <span className="text-slate-500">not null</span>}</td>
                    <td className="max-w-48 truncate px-4 py-1.5 font-mono text-xs text-slate-500" title={col.defaultExpression ?? undefined}>
                      {col.defaultExpression ?? ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}
