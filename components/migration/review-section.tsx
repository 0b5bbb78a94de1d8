import { ActionForm } from '@/components/action-form';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import type { MigrationPeople } from '@/lib/data/get-migration-people';
import { CommentsPanel } from './comments-panel';
import { ContractForm } from './contract-form';
import { deniedReason } from './denied-reason';
import type { MigrationActions } from './migration-actions';
import { RollbackConfirmForm } from './rollback-confirm-form';

/**
 * Who wrote it, who approved it, and every step a person takes: approvals, phases, the deploy
 * mark, rollback and contract, and the comments. Each button is closed with the server's reason.
 */
export function ReviewSection({
  m,
  people,
  actions,
  deployUndoable,
  rollbackAfterDeploy,
}: {
  m: MigrationDetail;
  people: MigrationPeople;
  actions: MigrationActions;
  /** The deploy mark can be taken back in the migration's state. */
  deployUndoable: boolean;
  /** A rollback after the deploy could run now, so it needs the deploy typed out. */
  rollbackAfterDeploy: boolean;
}) {
  const id = m.id;
  return (
    <section className="space-y-3" data-testid="people">
      <h2 className="text-lg font-semibold">Review and approval</h2>
      <p className="text-sm text-slate-700">
        Author: {people.author ?? 'created from the command line (no approvals needed)'} · on call now: {people.onCall ?? 'nobody'} · plan approvals:{' '}
        {people.planApprovals.length} of {people.planApprovalsRequired}
        {people.planApprovals.length > 0 && ` (${people.planApprovals.map((a) => a.by).join(', ')})`}
      </p>
      <div className="grid gap-4 md:grid-cols-2">
        <ActionForm action={actions.approvePlan} hidden={{ migrationId: id }} label="Approve plan" denied={deniedReason(people.can.approvePlan)} />
        <ActionForm action={actions.approveContract} hidden={{ migrationId: id }} label="Approve contract" denied={deniedReason(people.can.approveContract)} />
      </div>
      <div className="flex flex-wrap gap-4">
        {(['expand', 'backfill', 'verify'] as const).map((phase) => (
          <ActionForm
            key={phase}
            action={actions.runPhase}
            hidden={{ migrationId: id, phase }}
            label={`Run ${phase}`}
            denied={deniedReason(people.can[phase])}
          />
        ))}
        <ActionForm
          action={actions.markDeployed}
          hidden={{ migrationId: id }}
          label="Mark deployed"
          denied={m.deployedAt ? `deployed ${m.deployedAt.toISOString()}` : deniedReason(people.can.markDeployed)}
        />
        {deployUndoable && (
          // A mark made too early would start the buffer before the new code is live.
          <ActionForm
            action={actions.unmarkDeployed}
            hidden={{ migrationId: id }}
            label="Take back deploy mark"
            denied={deniedReason(people.can.markDeployed)}
          />
        )}
        {!rollbackAfterDeploy && (
          <ActionForm
            action={actions.runPhase}
            hidden={{ migrationId: id, phase: 'rollback' }}
            label="Run rollback"
            denied={deniedReason(people.can.rollback)}
          />
        )}
      </div>
      {rollbackAfterDeploy && m.deployedAt && (
        <RollbackConfirmForm migrationId={id} deployedAt={m.deployedAt} runPhase={actions.runPhase} denied={deniedReason(people.can.rollback)} />
      )}
      <ContractForm
        m={m}
        runPhase={actions.runPhase}
        denied={deniedReason(people.can.contract) ?? (m.gate.allowed ? undefined : `the gate is closed: ${m.gate.reasons.join('; ')}`)}
      />
      <CommentsPanel migrationId={id} comments={people.comments} comment={actions.comment} denied={deniedReason(people.can.comment)} />
    </section>
  );
}
