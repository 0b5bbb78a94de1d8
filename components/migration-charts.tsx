'use client';
import { Bar, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MigrationCharts as Data } from '@/lib/data/get-migration-charts';
import { formatRate, rateAxis } from '@/lib/metrics/rate-axis';

const PHASE_FILL: Record<string, string> = {
  expand: '#c7d2fe',
  backfill: '#fde68a',
  verify: '#e9d5ff',
  monitor: '#d1fae5',
  contract: '#fecaca',
  rollback: '#e5e7eb',
  restore: '#e5e7eb',
};

const clock = (t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');
const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'no requests' : `${(v * 100).toFixed(2)}%`);

function PhaseBands({ data }: { data: Data }) {
  return (
    <>
      {data.phases.map((p, i) => (
        <ReferenceArea
          key={`p${i}`}
          x1={p.from}
          x2={Math.max(p.to, p.from + 60_000)}
          fill={PHASE_FILL[p.phase] ?? '#e5e7eb'}
          fillOpacity={0.5}
          label={{ value: p.phase, position: 'insideTop', fontSize: 10 }}
          ifOverflow="hidden"
        />
      ))}
      {data.regressionsFrom.map((t, i) => (
        <ReferenceArea
          key={`r${i}`}
          x1={t}
          x2={data.to}
          fill="#dc2626"
          fillOpacity={0.12}
          label={{ value: 'regression', position: 'insideTopRight', fontSize: 10, fill: '#991b1b' }}
        />
      ))}
    </>
  );
}

/** Error rate per minute and reads of the old column, on one time axis with the phases as bands. */
export function MigrationCharts({ data }: { data: Data }) {
  // The rate axis fits the rates and the baseline; its ticks never repeat a label.
  const rates = rateAxis(
    data.errors.map((e) => e.rate),
    data.baselineRate,
  );
  const axis = {
    dataKey: 't',
    type: 'number' as const,
    domain: [data.from, data.to] as [number, number],
    tickFormatter: clock,
    scale: 'time' as const,
    fontSize: 11,
  };
  return (
    <div className="space-y-6">
      <figure className="space-y-1" data-testid="error-chart">
        <figcaption className="text-sm font-medium">Error rate per minute (services), Postgres errors, baseline before the expand</figcaption>
        {data.errors.length === 0 ? (
          <p className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-600">
            No error rates yet. Services send them to <code className="font-mono">POST /api/v1/metrics</code> with a token from{' '}
            <code className="font-mono">expand-contract token create ingest &lt;service&gt;</code>; the embedded target&apos;s Postgres errors appear here on
            their own.
          </p>
        ) : (
          <div className="h-56 w-full">
            <ResponsiveContainer>
              <ComposedChart data={data.errors} margin={{ top: 16, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                <XAxis {...axis} />
                <YAxis
                  yAxisId="rate"
                  domain={[0, rates.max]}
                  ticks={rates.ticks}
                  tickFormatter={(v: number) => formatRate(v, rates.decimals)}
                  fontSize={11}
                  width={52}
                />
                <YAxis
                  yAxisId="count"
                  orientation="right"
                  allowDecimals={false}
                  fontSize={11}
                  width={44}
                  label={{ value: 'Postgres errors/min', angle: 90, position: 'insideRight', fontSize: 10, fill: '#9a3412' }}
                />
                <PhaseBands data={data} />
                {data.baselineRate !== null && (
                  <ReferenceLine
                    yAxisId="rate"
                    y={data.baselineRate}
                    stroke="#475569"
                    strokeDasharray="4 4"
                    label={{ value: 'baseline', fontSize: 10, position: 'insideBottomLeft' }}
                  />
                )}
                <Bar yAxisId="count" dataKey="postgres" name="Postgres errors" fill="#f97316" />
                <Line yAxisId="rate" dataKey="rate" name="error rate" stroke="#b91c1c" dot={false} connectNulls={false} isAnimationActive={false} />
                <Tooltip
                  labelFormatter={(t) => clock(Number(t))}
                  formatter={(value, name, item) =>
                    name === 'error rate' ? [`${pct(value as number | null)} (${item.payload.errors}/${item.payload.requests})`, name] : [String(value), name]
                  }
                />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        )}
        {data.errors.length > 0 && (
          <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" data-testid="error-legend">
            <li className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block h-0.5 w-4 bg-red-700" />
              error rate of the services (left axis)
            </li>
            <li className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block h-2.5 w-2.5 bg-orange-500" />
              Postgres log errors per minute (right axis)
            </li>
            {data.baselineRate !== null && (
              <li className="flex items-center gap-1.5">
                <span aria-hidden className="inline-block w-4 border-t-2 border-dashed border-slate-600" />
                baseline, the hour before the expand: {formatRate(data.baselineRate, Math.max(2, rates.decimals))}
              </li>
            )}
          </ul>
        )}
      </figure>
      {data.legacy && (
        <figure className="space-y-1" data-testid="legacy-chart">
          <figcaption className="text-sm font-medium">Uses of the old column per sampling interval (pg_stat_statements)</figcaption>
          {!data.samplerRan ? (
            <p className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-600">
              The pg_stat_statements sampler has not sampled this target in the window: keep the dashboard (or{' '}
              <code className="font-mono">expand-contract worker</code>) running.
            </p>
          ) : (
            <div className="h-40 w-full">
              <ResponsiveContainer>
                <ComposedChart data={data.legacy} margin={{ top: 16, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis {...axis} />
                  <YAxis allowDecimals={false} fontSize={11} width={48} />
                  <PhaseBands data={data} />
                  <Bar dataKey="reads" stackId="u" name="reads" fill="#4f46e5" />
                  <Bar dataKey="writes" stackId="u" name="writes" fill="#0891b2" />
                  <Bar dataKey="unknown" stackId="u" name="unparseable" fill="#a3a3a3" />
                  <Tooltip labelFormatter={(t) => clock(Number(t))} />
                </ComposedChart>
              </ResponsiveContainer>
            </div>
          )}
        </figure>
      )}
    </div>
  );
}
