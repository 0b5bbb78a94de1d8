import { ActionForm } from '@/components/action-form';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import { contractConfirmation } from '@/lib/lifecycle/contract-confirmation';

const WHAT = {
  contract: { label: 'Contract', does: 'Drops the old column for good (an archive allows a restore).' },
  restore: { label: 'Restore', does: "Brings the old column back from the contract's archive, with its data." },
} as const;

/**
 * The destructive step, or its undoing: the old column's table.column typed out to confirm. While
 * the gate is closed there is no button, only why (the evidence is listed above it).
 */
export function ContractForm({
  m,
  runPhase,
  phase = 'contract',
  closed,
}: {
  m: MigrationDetail;
  runPhase: FormAction;
  phase?: keyof typeof WHAT;
  /** Why it cannot run yet; no button then. */
  closed?: string;
}) {
  const confirmText = contractConfirmation(m.spec);
  const { label, does } = WHAT[phase];
  return (
    <div className="max-w-xl rounded border border-red-200 bg-red-50 p-3" data-testid={`${phase}-form`}>
      {closed ? (
        <p className="text-sm text-slate-700">
          <span className="font-medium">{label}</span> opens when the gate does: {closed}
        </p>
      ) : (
        <ActionForm action={runPhase} hidden={{ migrationId: m.id, phase }} label={label} danger>
          <label className="block text-sm">
            {does} Type <code className="font-mono">{confirmText}</code> to confirm:
            <input name="confirm" autoComplete="off" className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono" />
          </label>
        </ActionForm>
      )}
    </div>
  );
}
