'use client';
import { startTransition, useActionState, useMemo, useState } from 'react';
import type { NewMigrationState } from '@/lib/actions/new-migration-state';
import { OPERATIONS } from '@/lib/migrations/operations';
import type { OperationSpec } from '@/lib/migrations/types';

export interface TableChoice {
  schema: string;
  name: string;
  columns: { name: string; type: string; nullable: boolean }[];
}

// Each operation lists its own fields; the form only lays them out.
const CHOICES = OPERATIONS.flatMap((op) => (op.form ? [{ kind: op.kind, ...op.form }] : []));

// Controlled: React resets a form after its action runs, and a person fixing one field must not lose the others.
function Field({
  name,
  label,
  error,
  values,
  setValue,
  ...rest
}: {
  name: string;
  label: string;
  error?: string;
  values: Record<string, string>;
  setValue: (name: string, value: string) => void;
} & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="flex flex-col text-sm">
      {label}
      <input
        name={name}
        value={values[name] ?? ''}
        onChange={(ev) => setValue(name, ev.target.value)}
        aria-invalid={!!error}
        aria-describedby={error ? `${name}-error` : undefined}
        className="rounded border border-slate-300 px-2 py-1 font-mono"
        {...rest}
      />
      {error && (
        <span id={`${name}-error`} className="text-xs text-red-800">
          {error}
        </span>
      )}
    </label>
  );
}

/** Pick a table and column of the live target, an operation, its details; preview the plan, then create it. */
export function NewMigrationForm({
  tables,
  action,
  canCreate = true,
}: {
  tables: TableChoice[];
  action: (prev: NewMigrationState, data: FormData) => Promise<NewMigrationState>;
  canCreate?: boolean;
}) {
  const [state, run, pending] = useActionState(action, {});
  const [search, setSearch] = useState('');
  const [tableKey, setTableKey] = useState(tables[0] ? `${tables[0].schema}.${tables[0].name}` : '');
  const [kind, setKind] = useState<OperationSpec['kind']>('rename-column');
  const choice = CHOICES.find((c) => c.kind === kind);
  const [values, setValues] = useState<Record<string, string>>({});
  const setValue = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  const f = { values, setValue };
  const shown = useMemo(
    () => tables.filter((t) => `${t.schema}.${t.name} ${t.columns.map((c) => c.name).join(' ')}`.toLowerCase().includes(search.toLowerCase())),
    [tables, search],
  );
  const table = tables.find((t) => `${t.schema}.${t.name}` === tableKey);
  const e = state.fieldErrors ?? {};
  // A plan refused for these very fields would be refused again at creation: Create waits for a change.
  const asked = JSON.stringify([tableKey, kind, values]);
  const [answeredFor, setAnsweredFor] = useState('');
  const refused = !!state.error && !pending && answeredFor === asked;
  return (
    <form
      className="space-y-4"
      data-testid="new-migration"
      // Submitted by hand instead of through `action`: React resets a form after its action, which would
      // put the selects back to their first option behind their state's back.
      onSubmit={(ev) => {
        ev.preventDefault();
        const data = new FormData(ev.currentTarget, (ev.nativeEvent as SubmitEvent).submitter);
        setAnsweredFor(asked);
        startTransition(() => run(data));
      }}
    >
      <input type="hidden" name="schema" value={table?.schema ?? ''} />
      <input type="hidden" name="table" value={table?.name ?? ''} />
      <div className="flex flex-wrap gap-3">
        <label className="flex flex-col text-sm">
          Search tables and columns
          <input type="search" value={search} onChange={(ev) => setSearch(ev.target.value)} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col text-sm" htmlFor="nm-table">
          Table
          <select
            id="nm-table"
            aria-label="Table"
            value={tableKey}
            onChange={(ev) => (setTableKey(ev.target.value), setValue('column', ''))}
            className="rounded border border-slate-300 px-2 py-1"
          >
            {shown.map((t) => (
              <option key={`${t.schema}.${t.name}`} value={`${t.schema}.${t.name}`}>
                {t.schema}.{t.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm" htmlFor="nm-kind">
          Operation
          <select
            id="nm-kind"
            aria-label="Operation"
            name="kind"
            value={kind}
            onChange={(ev) => setKind(ev.target.value as typeof kind)}
            className="rounded border border-slate-300 px-2 py-1"
          >
            {CHOICES.map((c) => (
              <option key={c.kind} value={c.kind}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        {choice?.column === 'new' ? (
          <Field {...f} name="column" label="New column" error={e.column} required />
        ) : (
          <label className="flex flex-col text-sm" htmlFor="nm-column">
            Column
            <select
              id="nm-column"
              aria-label="Column"
              name="column"
              value={values.column || table?.columns[0]?.name || ''}
              onChange={(ev) => setValue('column', ev.target.value)}
              className="rounded border border-slate-300 px-2 py-1 font-mono"
            >
              {table?.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.type}
                  {c.nullable ? ', nullable' : ''})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="flex flex-wrap gap-3">
        {choice?.fields.map((field) =>
          field.value === 'flag' ? (
            <label key={field.name} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name={field.name}
                checked={values[field.name] === 'on'}
                onChange={(ev) => setValue(field.name, ev.target.checked ? 'on' : '')}
              />{' '}
              {field.label}
            </label>
          ) : (
            <Field
              {...f}
              key={field.name}
              name={field.name}
              label={field.label}
              error={e[field.name]}
              placeholder={field.placeholder}
              required={field.value === 'name' || field.value === 'expression'}
              size={field.wide ? 40 : undefined}
            />
          ),
        )}
      </div>
      {e.kind && <p className="text-sm text-red-800">{e.kind}</p>}
      <div className="flex flex-wrap gap-3">
        <button
          type="submit"
          name="intent"
          value="preview"
          disabled={pending}
          className="rounded border border-indigo-700 px-3 py-1.5 text-sm font-medium text-indigo-800"
        >
          Preview SQL
        </button>
        {canCreate ? (
          <>
            <button
              type="submit"
              name="intent"
              value="create"
              disabled={pending || refused}
              aria-describedby={refused ? 'nm-refused' : undefined}
              className="rounded bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white disabled:cursor-not-allowed disabled:bg-slate-400"
            >
              Create migration
            </button>
            {refused && (
              <span id="nm-refused" className="self-center text-xs text-slate-600">
                change what the message below names first
              </span>
            )}
          </>
        ) : (
          <span className="self-center text-xs text-slate-600">only authors create migrations</span>
        )}
      </div>
      {state.error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm break-words text-red-800">
          {state.error}
        </p>
      )}
      {state.preview && <PlanPreview preview={state.preview} />}
    </form>
  );
}

/** A previewed plan: its title, what the breaking-change pass says of its expand SQL, its notes and every phase's SQL. */
export function PlanPreview({ preview }: { preview: NonNullable<NewMigrationState['preview']> }) {
  return (
    <div className="space-y-2" data-testid="preview">
      <h2 className="font-semibold">{preview.title}</h2>
      <p className={`text-sm ${preview.lint.length ? 'text-red-800' : 'text-emerald-800'}`} data-testid="preview-lint">
        {preview.lint.length ? `lint: ${preview.lint.join('; ')}` : 'lint: nothing in the expand SQL breaks the code that is running now'}
      </p>
      {preview.notes.map((n) => (
        <p key={n} className="text-sm text-slate-700">
          {n}
        </p>
      ))}
      {preview.phases.map((p) => (
        <details key={p.phase} open={p.phase === 'expand'} className="rounded border border-slate-200">
          <summary className="cursor-pointer px-3 py-1 text-sm font-medium">{p.phase}</summary>
          <pre className="max-h-80 overflow-auto bg-slate-50 p-3 text-xs">{p.sql}</pre>
        </details>
      ))}
    </div>
  );
}
