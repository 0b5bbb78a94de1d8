import type { MigrationDetail } from '@/lib/data/get-migrations';
import type { MigrationPeople } from '@/lib/data/get-migration-people';
import type { Cancellation } from '@/lib/data/get-cancellation';

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const HOW: Record<string, string> = { contracted: 'Contracted', rolled_back: 'Rolled back', cancelled: 'Cancelled' };

/**
 * A finished migration (contracted, rolled back or cancelled) as what happened: how it ended,
 * when and by whom, who approved it, and when its code was deployed. It waits for nobody, so no gate.
 */
export function MigrationSummary({
  m,
  people,
  ended,
  cancellation,
}: {
  m: MigrationDetail;
  people: MigrationPeople;
  ended: { phase: string; at: Date; by: string } | null;
  cancellation: Cancellation | null;
}) {
  const how = HOW[m.status] ?? m.status;
  const rows: [string, string][] = [
    [how, ended ? `${utc(ended.at)} by ${ended.by}` : 'no record of the run'],
    ...(cancellation ? [['Why', cancellation.reason ?? 'no reason given'] as [string, string]] : []),
    ['Plan approved by', people.planApprovals.map((a) => `${a.by} (${utc(a.at)})`).join(', ') || 'nobody'],
    ...(people.contractApprovals.length > 0
      ? [['Contract approved by', people.contractApprovals.map((a) => `${a.by} (${utc(a.at)})`).join(', ')] as [string, string]]
      : []),
    ['Code deployed', m.deployedAt ? `${utc(m.deployedAt)} by ${m.deployedBy ?? 'unknown'}` : 'never marked'],
    [
      'Phases',
      m.phases
        .filter((p) => p.status === 'succeeded')
        .map((p) => `${p.phase} ${utc(p.finishedAt ?? p.startedAt)}`)
        .join(' · ') || 'none',
    ],
  ];
  return (
    <section className="space-y-2 rounded border border-slate-200 bg-white p-4" data-testid="summary">
      <h2 className="text-lg font-semibold">What happened</h2>
      <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]">
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="font-medium text-slate-600">{term}</dt>
            <dd className="text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
