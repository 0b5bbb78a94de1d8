'use client';
import { useActionState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { FormAction } from '@/lib/actions/action-state';
import type { ReplayState } from '@/lib/actions/replay-state';
import type { ReplayResult } from '@/lib/demo/replay';

function Side({
  title,
  side,
  states,
  mismatched,
  testId,
}: {
  title: string;
  side: ReplayResult['naive'];
  states: string;
  mismatched?: number;
  testId: string;
}) {
  return (
    <figure className="space-y-2 rounded border border-slate-200 p-3" data-testid={testId}>
      <figcaption>
        <span className="font-semibold">{title}</span>
        <span className={`ml-2 text-sm ${side.errors > 0 ? 'text-red-800' : 'text-emerald-800'}`} data-testid="summary">
          {side.errors} error(s) in {side.requests} requests{states ? ` (${states})` : ''}
          {mismatched !== undefined ? `, ${mismatched} mismatched row(s)` : ''}
        </span>
      </figcaption>
      <div className="h-48 w-full">
        <ResponsiveContainer>
          <LineChart data={side.perSecond} margin={{ top: 16, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="second" type="number" unit=" s" fontSize={11} domain={['dataMin', 'dataMax']} />
            <YAxis allowDecimals={false} fontSize={11} width={32} />
            {side.events.map((e, i) => (
              // Alternating label heights: events often land in the same second.
              <ReferenceLine
                key={e.label}
                x={e.second}
                stroke="#475569"
                strokeDasharray="4 4"
                label={{ value: e.label, position: i % 2 ? 'insideBottomRight' : 'insideTopLeft', fontSize: 10 }}
              />
            ))}
            <Line dataKey="requests" name="requests/s" stroke="#4f46e5" dot={false} isAnimationActive={false} />
            <Line dataKey="errors" name="errors/s" stroke="#dc2626" dot={false} isAnimationActive={false} />
            <Tooltip labelFormatter={(s) => `${s} s`} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function ReplayView({ action }: { action: FormAction<ReplayState> }) {
  const [state, run, pending] = useActionState(action, {});
  return (
    <div className="space-y-4">
      <form action={run}>
        <button type="submit" disabled={pending} className="rounded bg-indigo-700 px-4 py-2 font-medium text-white disabled:opacity-60">
          {pending ? 'Replaying… (about 15 seconds)' : 'Replay the 2am incident'}
        </button>
      </form>
      {state.error && (
        <p role="alert" className="text-sm text-red-800">
          {state.error}
        </p>
      )}
      {state.result && (
        <div className="grid gap-4 lg:grid-cols-2">
          <Side title="Naive RENAME COLUMN" side={state.result.naive} states={state.sqlStates?.naive ?? ''} testId="replay-naive" />
          <Side
            title="Expand-contract"
            side={state.result.expandContract}
            states={state.sqlStates?.expandContract ?? ''}
            mismatched={state.result.expandContract.mismatchedRows}
            testId="replay-ec"
          />
        </div>
      )}
    </div>
  );
}
