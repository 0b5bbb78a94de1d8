import { ActionForm } from '@/components/action-form';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationDetail } from '@/lib/data/get-migrations';

/** The destructive step: the old column's table.column typed out to confirm. */
export function ContractForm({ m, runPhase, denied }: { m: MigrationDetail; runPhase: FormAction; denied?: string }) {
  const confirmText = 'table' in m.spec && 'column' in m.spec ? `${m.spec.table}.${m.spec.column}` : '';
  return (
    <div className="max-w-xl rounded border border-red-200 bg-red-50 p-3" data-testid="contract-form">
      <ActionForm action={runPhase} hidden={{ migrationId: m.id, phase: 'contract' }} label="Contract" danger denied={denied}>
        <label className="block text-sm">
          Drops the old column for good (an archive allows a restore). Type <code className="font-mono">{confirmText}</code> to confirm:
          <input name="confirm" autoComplete="off" className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono" />
        </label>
      </ActionForm>
    </div>
  );
}
