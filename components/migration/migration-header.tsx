import { PhaseStepper } from '@/components/phase-stepper';
import { MigrationStatusBadge } from '@/components/status-badge';
import type { MigrationDetail } from '@/lib/data/get-migrations';

export function MigrationHeader({ m }: { m: MigrationDetail }) {
  return (
    <header>
      <p className="text-sm text-slate-500">
        Migration {m.id} · {m.target}
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">{m.title}</h1>
      <div className="mt-2">
        <MigrationStatusBadge state={m.status} />
        {m.seeded && (
          <span className="ml-2 rounded bg-slate-200 px-2 py-0.5 text-xs" data-testid="seeded">
            seeded demo history: never run on the target
          </span>
        )}
      </div>
      <div className="mt-4">
        <PhaseStepper runs={m.phases} deployedAt={m.deployedAt} deployedBy={m.deployedBy} />
      </div>
    </header>
  );
}
