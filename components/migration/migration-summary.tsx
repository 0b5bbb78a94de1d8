import { StatusBadge } from '@/components/status-badge';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import type { MigrationPeople } from '@/lib/data/get-migration-people';
import type { Cancellation } from '@/lib/data/get-cancellation';

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const HOW: Record<string, string> = { contracted: 'Contracted', rolled_back: 'Rolled back', cancelled: 'Cancelled', restored: 'Restored' };

/**
 * A finished migration (contracted, rolled back or cancelled), or a restored one, as what happened:
 * how it ended, when and by whom, who approved it, when its code was deployed, and the evidence the
 * contract was approved on, as it stood then.
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
  // The evidence the contract went ahead on, as the person on call approved it: frozen, never re-read.
  const approval = people.contractApprovals.at(-1);
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
      {approval && m.status !== 'cancelled' && m.status !== 'rolled_back' && (
        <div className="space-y-1 pt-2" data-testid="frozen-evidence">
          <h3 className="text-sm font-semibold">
            Evidence at the contract approval ({utc(approval.at)}, {approval.by})
          </h3>
          {approval.evidence ? (
            <ul className="space-y-0.5 text-sm">
              {approval.evidence.map((c) => (
                <li key={c.name} className="flex items-start gap-2">
                  <StatusBadge status={c.met ? 'ok' : 'error'}>{c.met ? 'met' : 'not met'}</StatusBadge>
                  <span>
                    <span className="font-medium">{c.name}</span>: {c.detail}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-slate-600">The approval recorded no evidence.</p>
          )}
        </div>
      )}
    </section>
  );
}
