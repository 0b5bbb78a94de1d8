import Link from 'next/link';
import { MigrationCharts } from '@/components/migration-charts';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import { CHART_RANGE_LABELS, CHART_RANGES } from '@/lib/metrics/chart-range';

/** The charts, with the window they cover chosen by links (no script needed): since the expand by default. */
export function SignalsSection({ charts }: { charts: MigrationDetail['charts'] }) {
  return (
    <section className="min-w-0 space-y-2" id="signals">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-lg font-semibold">Signals</h2>
        <nav aria-label="Time range of the charts" className="flex flex-wrap gap-1 text-xs" data-testid="chart-range">
          {CHART_RANGES.map((r) => (
            <Link
              key={r}
              href={`?range=${r}#signals`}
              scroll={false}
              aria-current={r === charts.range ? 'page' : undefined}
              className={
                r === charts.range
                  ? 'rounded border border-slate-700 bg-slate-700 px-2 py-1 text-white'
                  : 'rounded border border-slate-300 px-2 py-1 text-slate-700 hover:bg-slate-100'
              }
            >
              {CHART_RANGE_LABELS[r]}
            </Link>
          ))}
        </nav>
      </div>
      <MigrationCharts data={charts} />
    </section>
  );
}
