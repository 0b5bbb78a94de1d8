import type { MigrationDetail } from '@/lib/data/get-migrations';
import type { MigrationPeople } from '@/lib/data/get-migration-people';

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * A finished migration (contracted or rolled back) as what happened: how it ended, when and by
 * whom, who approved it, and when its code was deployed. It waits for nobody, so no gate.
 */
export function MigrationSummary({ m, people, ended }: { m: MigrationDetail; people: MigrationPeople; ended: { phase: string; at: Date; by: string } | null }) {
  const how = m.status === 'contracted' ? 'Contracted' : 'Rolled back';
  const rows: [string, string][] = [
    [how, ended ? `${utc(ended.at)} by ${ended.by}` : 'no record of the run'],
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
