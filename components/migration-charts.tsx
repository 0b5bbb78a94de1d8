'use client';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartPhase, ErrorPoint, MigrationCharts as Data } from '@/lib/data/get-migration-charts';
import { placeBands, rowsUsed, type Band } from '@/lib/metrics/band-lanes';
import { formatMoment, formatTick, niceBucketMinutes, timeTicks } from '@/lib/metrics/chart-range';
import { downsample } from '@/lib/metrics/downsample';
import { formatRate, rateAxis } from '@/lib/metrics/rate-axis';

const PHASE_FILL: Record<string, string> = {
  expand: '#a5b4fc',
  backfill: '#fcd34d',
  verify: '#d8b4fe',
  deploy: '#334155',
  monitoring: '#86efac',
  contract: '#fca5a5',
  rollback: '#cbd5e1',
  restore: '#cbd5e1',
  regression: '#dc2626',
  'no reads': '#22c55e',
};
const SERVICE_COLORS = ['#b91c1c', '#1d4ed8', '#047857', '#7c3aed', '#b45309', '#0e7490', '#be185d', '#4d7c0f'];

// Both charts share one geometry, so a moment sits at the same x in each: the error chart's
// axes' widths are kept on the legacy chart too.
const MARGIN = { top: 8, right: 8, left: 0, bottom: 0 };
const LEFT_AXIS = 48;
const RIGHT_AXIS = 44;
const X_AXIS = 28;
const LABEL_ROW = 14;

interface ChartBand extends Band {
  status?: string;
  testId: string;
  opacity: number;
}

/** The width the charts have, once the browser has laid them out (0 before: nothing is drawn on the server). */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    observer.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

const bandTitle = (b: ChartBand, timeZone: string) =>
  b.from === b.to ? `${b.phase} ${formatMoment(b.from, timeZone)}` : `${b.phase} ${formatMoment(b.from, timeZone)} – ${formatMoment(b.to, timeZone)}`;

/**
 * A chart with the phases behind it: full-height shaded bands under the plot (never narrower
 * than 4 px), their labels in rows above it where they never overlap one another.
 */
function BandedChart({
  data,
  width,
  height,
  bands,
  testId,
  children,
}: {
  data: Data;
  width: number;
  height: number;
  bands: ChartBand[];
  testId: string;
  children: ReactNode;
}) {
  const plotWidth = Math.max(1, width - MARGIN.left - LEFT_AXIS - MARGIN.right - RIGHT_AXIS);
  const placed = placeBands(bands, { from: data.from, to: data.to, width: plotWidth });
  const rows = rowsUsed(placed);
  const plotLeft = MARGIN.left + LEFT_AXIS;
  return (
    <div data-testid={testId} data-from={data.from} data-to={data.to} data-plot-left={plotLeft} data-plot-width={plotWidth}>
      <div className="relative" style={{ height: rows * LABEL_ROW }} aria-hidden>
        {placed
          .filter((p) => p.row !== null)
          .map((p, i) => (
            <span
              key={`l${i}`}
              data-testid="band-label"
              data-phase={p.band.phase}
              className="absolute truncate border-l-2 pl-1 text-[10px] leading-[14px] whitespace-nowrap text-slate-700"
              style={{ left: plotLeft + p.labelLeft, top: p.row! * LABEL_ROW, maxWidth: p.labelWidth, borderColor: PHASE_FILL[p.band.phase] ?? '#94a3b8' }}
            >
              {p.band.phase}
            </span>
          ))}
      </div>
      <div className="relative" style={{ width, height }}>
        {placed.map((p, i) => (
          <div
            key={`b${i}`}
            data-testid={p.band.testId}
            data-phase={p.band.phase}
            data-from={p.band.from}
            data-to={p.band.to}
            title={bandTitle(p.band, data.timeZone)}
            className="absolute"
            style={{
              left: plotLeft + p.left,
              width: p.width,
              top: MARGIN.top,
              height: height - MARGIN.top - MARGIN.bottom - X_AXIS,
              background: PHASE_FILL[p.band.phase] ?? '#e2e8f0',
              opacity: p.band.opacity,
            }}
          />
        ))}
        <div className="absolute inset-0">{children}</div>
      </div>
    </div>
  );
}

function xAxisProps(data: Data, plotWidth: number) {
  let axis = timeTicks(data.from, data.to, data.timeZone, Math.floor(plotWidth / 56));
  if (axis.unit !== 'time') axis = timeTicks(data.from, data.to, data.timeZone, Math.floor(plotWidth / 84));
  return {
    dataKey: 't',
    type: 'number' as const,
    scale: 'linear' as const,
    domain: [data.from, data.to] as [number, number],
    allowDataOverflow: true,
    ticks: axis.ticks,
    interval: 0 as const,
    tickFormatter: (t: number) => formatTick(t, axis.unit, data.timeZone),
    height: X_AXIS,
    fontSize: 11,
  };
}

/**
 * The points summed again to about one per 3 px of the plot: a day of minutes on a phone is
 * otherwise seven points a pixel, a smear of the minute-to-minute noise rather than a line.
 * Counts stay counts; each rate is computed from its bucket's sums.
 */
function fitToWidth(data: Data, plotWidth: number) {
  const nice = niceBucketMinutes(data.from, data.to, Math.max(30, Math.floor(plotWidth / 3)));
  if (nice <= data.bucketMinutes) return { minutes: data.bucketMinutes, errors: data.errors, legacy: data.legacy };
  // Buckets on whole multiples of their width (2 h buckets begin at even hours), the window rounded out to them.
  const width = nice * 60_000;
  const from = Math.floor(data.from / width) * width;
  const to = Math.ceil((data.to + 1) / width) * width;
  const count = (to - from) / width;
  const keys = ['postgres', ...data.services.flatMap((_, i) => [`r${i}`, `e${i}`])];
  const flat = data.errors.map((p) => ({
    t: p.t,
    postgres: p.postgres,
    ...Object.fromEntries(
      data.services.flatMap((_, i) => [
        [`r${i}`, p.requests[i]!],
        [`e${i}`, p.errors[i]!],
      ]),
    ),
  })) as ({ t: number } & Record<string, number>)[];
  const errors: ErrorPoint[] = downsample(flat, keys, from, to, count).map((b) => {
    const requests = data.services.map((_, i) => b[`r${i}`]!);
    const errors = data.services.map((_, i) => b[`e${i}`]!);
    return { t: b.t, postgres: b.postgres!, requests, errors, rates: requests.map((r, i) => (r > 0 ? errors[i]! / r : null)) };
  });
  const legacy = data.legacy && downsample(data.legacy, ['reads', 'writes', 'unknown'] as const, from, to, count);
  return { minutes: nice, errors, legacy };
}

const per = (minutes: number) => (minutes === 1 ? 'minute' : minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`);

function ErrorTooltip({ point, data, minutes }: { point: ErrorPoint | undefined; data: Data; minutes: number }) {
  if (!point) return null;
  return (
    <div className="rounded border border-slate-300 bg-white p-2 text-xs shadow" data-testid="error-tooltip">
      <p className="font-medium">
        {formatMoment(point.t, data.timeZone)}
        {minutes > 1 ? ` (${per(minutes)})` : ''}
      </p>
      {data.services.map((s, i) => (
        <p key={s} style={{ color: SERVICE_COLORS[i % SERVICE_COLORS.length] }}>
          {s}:{' '}
          {point.requests[i]
            ? `${formatRate(point.rates[i] ?? 0, 2)} (${point.errors[i]} errors of ${point.requests[i]} requests)`
            : point.errors[i]
              ? `${point.errors[i]} errors, no requests reported`
              : 'no requests'}
        </p>
      ))}
      <p className="text-orange-700">Postgres log: {point.postgres} errors</p>
    </div>
  );
}

function LegacyTooltip({ point, data }: { point: { t: number; reads: number; writes: number; unknown: number } | undefined; data: Data }) {
  if (!point) return null;
  return (
    <div className="rounded border border-slate-300 bg-white p-2 text-xs shadow">
      <p className="font-medium">{formatMoment(point.t, data.timeZone)}</p>
      <p>
        {point.reads} reads, {point.writes} writes, {point.unknown} unparseable
      </p>
    </div>
  );
}

/** Error rate per service and uses of the old column, on one time axis with the phases as bands. */
export function MigrationCharts({ data }: { data: Data }) {
  const [ref, width] = useWidth();
  const plotWidth = Math.max(1, width - MARGIN.left - LEFT_AXIS - MARGIN.right - RIGHT_AXIS);
  const shown = fitToWidth(data, plotWidth);
  // The rate axis fits every service's rates as drawn and the baseline; its ticks never repeat a label.
  const rates = rateAxis(
    shown.errors.flatMap((e) => e.rates),
    data.baselineRate,
  );
  const phaseBands: ChartBand[] = [
    ...data.phases.map((p: ChartPhase) => ({ ...p, testId: 'phase-band', opacity: p.phase === 'deploy' ? 0.8 : 0.45 })),
    ...data.regressionsFrom.map((t) => ({ phase: 'regression', from: t, to: data.to, testId: 'regression-band', opacity: 0.12 })),
  ];
  const legacyBands: ChartBand[] = [
    ...phaseBands,
    ...(data.zeroReads ? [{ phase: 'no reads', from: data.zeroReads.from, to: data.zeroReads.to, testId: 'zero-reads', opacity: 0.18 }] : []),
  ];
  const shownPhases = data.phases.filter((p) => p.to >= data.from && p.from <= data.to);
  const bucket = per(shown.minutes);
  return (
    <div className="min-w-0 space-y-6" ref={ref}>
      <figure className="space-y-1" data-testid="error-chart">
        <figcaption className="text-sm font-medium">
          Error rate per {bucket} of each service, Postgres errors, baseline before the expand{' '}
          <span className="font-normal text-slate-500">(times in {data.timeZone})</span>
        </figcaption>
        {width === 0 ? (
          <div className="h-60" />
        ) : (
          <BandedChart data={data} width={width} height={224} bands={phaseBands} testId="error-plot">
            <ComposedChart width={width} height={224} data={shown.errors} margin={MARGIN}>
              <CartesianGrid strokeDasharray="3 3" stroke="#cbd5e1" />
              <XAxis {...xAxisProps(data, plotWidth)} />
              <YAxis
                yAxisId="rate"
                domain={[0, rates.max]}
                ticks={rates.ticks}
                tickFormatter={(v: number) => formatRate(v, rates.decimals)}
                fontSize={11}
                width={LEFT_AXIS}
                allowDataOverflow
              />
              <YAxis
                yAxisId="count"
                orientation="right"
                allowDecimals={false}
                fontSize={11}
                width={RIGHT_AXIS}
                label={{
                  value: `Postgres errors/${shown.minutes === 1 ? 'min' : bucket}`,
                  angle: 90,
                  position: 'insideRight',
                  // Centred on the axis: anchored at its end, the rotated text would run off the top.
                  textAnchor: 'middle',
                  fontSize: 10,
                  fill: '#9a3412',
                }}
              />
              <Bar yAxisId="count" dataKey="postgres" name="Postgres errors" fill="#f97316" fillOpacity={0.75} isAnimationActive={false} />
              {data.services.map((s, i) => (
                <Line
                  key={s}
                  yAxisId="rate"
                  dataKey={(p: ErrorPoint) => p.rates[i]}
                  name={s}
                  stroke={SERVICE_COLORS[i % SERVICE_COLORS.length]}
                  strokeDasharray={i >= SERVICE_COLORS.length ? '6 3' : undefined}
                  strokeWidth={1.5}
                  dot={false}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
              {data.baselineRate !== null && <ReferenceLine yAxisId="rate" y={data.baselineRate} stroke="#475569" strokeDasharray="4 4" />}
              <Tooltip
                content={({ active, payload }) =>
                  active ? <ErrorTooltip point={payload?.[0]?.payload as ErrorPoint | undefined} data={data} minutes={shown.minutes} /> : null
                }
              />
            </ComposedChart>
          </BandedChart>
        )}
        {data.errors.length === 0 && (
          <p className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-600">
            No error rates in this window. Services send them to <code className="font-mono">POST /api/v1/metrics</code> with a token from{' '}
            <code className="font-mono">expand-contract token create ingest &lt;service&gt;</code>; the embedded target&apos;s Postgres errors appear here on
            their own.
          </p>
        )}
        {data.errors.length > 0 && (
          <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" data-testid="error-legend">
            {data.services.map((s, i) => (
              <li key={s} className="flex items-center gap-1.5" data-testid="legend-entry" data-series="service" data-name={s}>
                <span
                  aria-hidden
                  className="inline-block w-4 border-t-2"
                  style={{ borderColor: SERVICE_COLORS[i % SERVICE_COLORS.length], borderStyle: i >= SERVICE_COLORS.length ? 'dashed' : 'solid' }}
                />
                {s}: error rate (left axis)
              </li>
            ))}
            <li className="flex items-center gap-1.5" data-testid="legend-entry" data-series="postgres">
              <span aria-hidden className="inline-block h-2.5 w-2.5 bg-orange-500" />
              Postgres log errors per {bucket} (right axis)
            </li>
            {data.baselineRate !== null && (
              <li className="flex items-center gap-1.5" data-testid="legend-entry" data-series="baseline">
                <span aria-hidden className="inline-block w-4 border-t-2 border-dashed border-slate-600" />
                baseline, the hour before the expand: {formatRate(data.baselineRate, Math.max(2, rates.decimals))}
              </li>
            )}
          </ul>
        )}
        {shownPhases.length > 0 && (
          <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" data-testid="phase-legend" aria-label="Phases">
            {shownPhases.map((p, i) => (
              <li key={i} className="flex items-center gap-1.5" data-phase={p.phase}>
                <span aria-hidden className="inline-block h-2.5 w-2.5" style={{ background: PHASE_FILL[p.phase] ?? '#e2e8f0' }} />
                {bandTitle({ ...p, testId: '', opacity: 1 }, data.timeZone)}
                {p.status === 'running' ? ' (going on)' : p.status === 'failed' ? ' (failed)' : ''}
              </li>
            ))}
          </ul>
        )}
      </figure>
      {data.legacy && (
        <figure className="space-y-1" data-testid="legacy-chart">
          <figcaption className="text-sm font-medium">
            Uses of the old column per {bucket} (pg_stat_statements)
            {data.legacyCoverage !== null && data.samplerRan && (
              <span className="font-normal text-slate-600" data-testid="legacy-coverage">
                {' '}
                · sampled {(data.legacyCoverage * 100).toFixed(0)}% of the window
              </span>
            )}
          </figcaption>
          {!data.samplerRan ? (
            <p className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-600">
              The pg_stat_statements sampler has not sampled this target in the window: keep the dashboard (or{' '}
              <code className="font-mono">expand-contract worker</code>) running.
            </p>
          ) : width === 0 ? (
            <div className="h-44" />
          ) : (
            <BandedChart data={data} width={width} height={150} bands={legacyBands} testId="legacy-plot">
              <ComposedChart width={width} height={150} data={shown.legacy ?? []} margin={{ ...MARGIN, right: MARGIN.right + RIGHT_AXIS }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#cbd5e1" />
                <XAxis {...xAxisProps(data, plotWidth)} />
                <YAxis allowDecimals={false} fontSize={11} width={LEFT_AXIS} />
                <Bar dataKey="reads" stackId="u" name="reads" fill="#4f46e5" isAnimationActive={false} />
                <Bar dataKey="writes" stackId="u" name="writes" fill="#0891b2" isAnimationActive={false} />
                <Bar dataKey="unknown" stackId="u" name="unparseable" fill="#a3a3a3" isAnimationActive={false} />
                <Tooltip content={({ active, payload }) => (active ? <LegacyTooltip point={payload?.[0]?.payload as never} data={data} /> : null)} />
              </ComposedChart>
            </BandedChart>
          )}
          {data.samplerRan && (
            <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" data-testid="legacy-legend">
              <li className="flex items-center gap-1.5">
                <span aria-hidden className="inline-block h-2.5 w-2.5 bg-indigo-600" />
                reads
              </li>
              <li className="flex items-center gap-1.5">
                <span aria-hidden className="inline-block h-2.5 w-2.5 bg-cyan-600" />
                writes
              </li>
              <li className="flex items-center gap-1.5">
                <span aria-hidden className="inline-block h-2.5 w-2.5 bg-neutral-400" />
                unparseable
              </li>
              {data.zeroReads && (
                <li className="flex items-center gap-1.5" data-testid="zero-reads-legend">
                  <span aria-hidden className="inline-block h-2.5 w-2.5 bg-green-500/40" />
                  no reads since {formatMoment(data.zeroReads.from, data.timeZone)}
                  {data.zeroReads.from === data.phases.find((p) => p.phase === 'deploy')?.from ? ' (the deploy)' : ' (the last read)'}
                </li>
              )}
            </ul>
          )}
        </figure>
      )}
    </div>
  );
}
