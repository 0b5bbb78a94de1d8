import type { AuditEntry } from '@/lib/data/audit-log';

export function AuditTrail({ trail }: { trail: AuditEntry[] }) {
  return (
    <section className="space-y-2" data-testid="audit-trail">
      <h2 className="text-lg font-semibold">Audit trail</h2>
      <ol className="space-y-1 text-sm">
        {trail.map((e) => (
          <li key={e.id} className="flex flex-wrap gap-x-3">
            <span className="text-slate-500">{e.at.toISOString()}</span>
            <span className="font-medium">{e.actor}</span>
            <span className="font-mono">{e.action}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
