import { describeAuditEntry } from '@/components/audit-words';
import type { AuditEntry } from '@/lib/data/audit-log';

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The migration's own audit entries, newest first, in the audit log's words; the full log is one link away. */
export function AuditTrail({ trail, migrationId }: { trail: AuditEntry[]; migrationId: number }) {
  return (
    <section className="space-y-2" data-testid="audit-trail">
      <h2 className="text-lg font-semibold">Audit trail</h2>
      <ol className="space-y-1 text-sm">
        {trail.map((e) => {
          const words = describeAuditEntry(e);
          return (
            <li key={e.id} className="flex flex-wrap gap-x-3" data-action={e.action}>
              <span className="text-slate-500">{utc(e.at)}</span> <span className="font-medium">{e.actor}</span>{' '}
              <span className={words.failed ? 'text-red-700' : undefined}>{words.says}</span>{' '}
              {words.fields.length > 0 && <span className="text-slate-600">{words.fields.map((f) => `${f.label}: ${f.value}`).join(' · ')}</span>}
            </li>
          );
        })}
      </ol>
      <a href={`/audit?migration=${migrationId}`} className="text-sm underline">
        Full details in the audit log
      </a>
    </section>
  );
}
