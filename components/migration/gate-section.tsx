import { StatusBadge } from '@/components/status-badge';
import type { MigrationDetail } from '@/lib/data/get-migrations';

/** The contract gate's decision, each condition with its evidence. */
export function GateSection({ gate }: { gate: MigrationDetail['gate'] }) {
  return (
    <section className="space-y-2" data-testid="gate">
      <h2 className="text-lg font-semibold">Contract gate: {gate.allowed ? 'allowed' : 'not allowed'}</h2>
      <ul className="space-y-1 text-sm">
        {gate.conditions.map((c) => (
          <li
            key={c.name}
            data-testid="gate-condition"
            data-met={c.met}
            data-state={c.met ? 'met' : c.unknown ? 'unknown' : 'not-met'}
            className="flex items-start gap-2"
          >
            <StatusBadge status={c.met ? 'ok' : c.unknown ? 'warn' : 'error'}>{c.met ? 'met' : c.unknown ? 'unknown' : 'not met'}</StatusBadge>
            <span>
              <span className="font-medium">{c.name}</span>: {c.detail}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
