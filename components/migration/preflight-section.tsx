import { StatusBadge } from '@/components/status-badge';
import type { MigrationDetail } from '@/lib/data/get-migrations';

export function PreflightSection({ preflight }: { preflight: MigrationDetail['preflight'] }) {
  return (
    <section className="space-y-2" data-testid="preflight">
      <h2 className="text-lg font-semibold">Pre-flight checklist</h2>
      <ul className="space-y-1 text-sm">
        {preflight.map((q) => (
          <li key={q.question} className="flex items-start gap-2" data-answer={q.answer}>
            <StatusBadge status={q.answer === 'yes' ? 'ok' : q.answer === 'no' ? 'error' : 'warn'}>{q.answer}</StatusBadge>
            <span>
              <span className="font-medium">{q.question}</span> {q.evidence}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
