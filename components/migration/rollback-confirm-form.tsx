import { ActionForm } from '@/components/action-form';
import type { FormAction } from '@/lib/actions/action-state';
import { rollbackConfirmation } from '@/lib/lifecycle/permissions';

/** A rollback after the deploy drops a column deployed code reads: the person types the deploy out. */
export function RollbackConfirmForm({
  migrationId,
  deployedAt,
  runPhase,
  denied,
}: {
  migrationId: number;
  deployedAt: Date;
  runPhase: FormAction;
  denied?: string;
}) {
  return (
    <div className="max-w-xl rounded border border-amber-300 bg-amber-50 p-3" data-testid="rollback-form">
      <ActionForm action={runPhase} hidden={{ migrationId, phase: 'rollback' }} label="Run rollback" danger denied={denied}>
        <label className="block text-sm">
          The deploy is marked: code running now reads the new column, and the rollback drops it. Type{' '}
          <code className="font-mono">{rollbackConfirmation(deployedAt)}</code> to confirm:
          <input name="confirm" autoComplete="off" className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono" />
        </label>
      </ActionForm>
    </div>
  );
}
