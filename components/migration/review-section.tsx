import type { ReactNode } from 'react';
import { ActionForm } from '@/components/action-form';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import type { MigrationPeople } from '@/lib/data/get-migration-people';
import type { LifecycleAction } from '@/lib/lifecycle/may-act';
import { CancelForm } from './cancel-form';
import { CommentsPanel } from './comments-panel';
import { ContractForm } from './contract-form';
import { deniedReason } from './denied-reason';
import type { MigrationActions } from './migration-actions';
import { RollbackConfirmForm } from './rollback-confirm-form';
import { StepSlot } from './step-slot';

/**
 * Who wrote it, who approved it, and the steps this person may take now, by the lifecycle's
 * rules (who they are, then the migration's state): an action not valid now is not offered at
 * all. The next step stands out; the others are drawn quieter. Then the comments.
 */
export function ReviewSection({
  m,
  people,
  actions,
  next,
  finished,
}: {
  m: MigrationDetail;
  people: MigrationPeople;
  actions: MigrationActions;
  /** The action the migration waits for (lib/lifecycle/next-step.ts): drawn as the primary one. */
  next: LifecycleAction | null;
  /** Contracted, rolled back or cancelled: what happened is summarised above; only a restore is offered. */
  finished: boolean;
}) {
  const id = m.id;
  const { can } = people;
  const form = (label: string, action: MigrationActions[keyof MigrationActions], phase?: string) => (
    <ActionForm action={action} hidden={phase ? { migrationId: id, phase } : { migrationId: id }} label={label} />
  );
  // The contract's own approval is given on evidence that allows it, once per evidence: the server refuses it otherwise.
  const evidenceReady = m.gate.conditions.every((c) => c.met || c.name === 'approval');
  const approved = m.gate.conditions.some((c) => c.name === 'approval' && c.met);
  const steps: [LifecycleAction, boolean, ReactNode][] = [
    // A plan approved by enough reviewers, or by this one already, needs no approval more.
    [
      'plan.approve',
      can.approvePlan.ok && !people.approvedPlan && people.planApprovals.length < people.planApprovalsRequired,
      form('Approve plan', actions.approvePlan),
    ],
    ['phase.expand', can.expand.ok, form('Run expand', actions.runPhase, 'expand')],
    // Queued or running already: asking again would only be refused.
    ['phase.backfill', can.backfill.ok && m.backfill?.status !== 'running' && !m.jobPending, form('Run backfill', actions.runPhase, 'backfill')],
    ['phase.verify', can.verify.ok, form('Run verify', actions.runPhase, 'verify')],
    ['deploy.mark', can.markDeployed.ok, form('Mark deployed', actions.markDeployed)],
    // A mark made too early would start the buffer before the new code is live.
    ['deploy.unmark', can.unmarkDeployed.ok, form('Take back deploy mark', actions.unmarkDeployed)],
    ['contract.approve', can.approveContract.ok && evidenceReady && !approved, form('Approve contract', actions.approveContract)],
    [
      'phase.rollback',
      can.rollback.ok,
      // After the deploy, deployed code reads the column the rollback drops: the deploy is typed out.
      m.deployedAt ? (
        <RollbackConfirmForm migrationId={id} deployedAt={m.deployedAt} runPhase={actions.runPhase} />
      ) : (
        form('Run rollback', actions.runPhase, 'rollback')
      ),
    ],
    ['migration.cancel', can.cancel.ok, <CancelForm key="cancel" migrationId={id} cancel={actions.cancel} />],
  ];
  // The contract, and the restore, are the person on call's: typed out, in their own boxes.
  const gateClosed = m.gate.allowed ? undefined : m.gate.reasons.join('; ');
  steps.push(
    ['phase.contract', can.contract.ok, <ContractForm key="contract" m={m} runPhase={actions.runPhase} closed={gateClosed} />],
    ['phase.restore', can.restore.ok, <ContractForm key="restore" m={m} runPhase={actions.runPhase} phase="restore" />],
  );
  // A finished migration offers no step but the restore of a contracted one (lib/lifecycle FINISHED_STATES).
  const open = steps.filter(([action, ok]) => ok && (!finished || action === 'phase.restore'));
  // The next step first, then the contract box, then the rest, in one keyed list: a form that moves keeps its answer.
  const rank = ([action]: (typeof steps)[number]) => (action === next ? 0 : action === 'phase.contract' ? 1 : 2);
  const ordered = [...open].sort((a, b) => rank(a) - rank(b));
  return (
    <section className="space-y-3" data-testid="people">
      <h2 className="text-lg font-semibold">{finished ? 'People' : 'Your steps, review and approval'}</h2>
      <p className="text-sm text-slate-700">
        Author: {people.author ?? 'created from the command line (no approvals needed)'} · on call now: {people.onCall ?? 'nobody'} · plan approvals:{' '}
        {people.planApprovals.length} of {people.planApprovalsRequired}
        {people.planApprovals.length > 0 && ` (${people.planApprovals.map((a) => a.by).join(', ')})`}
      </p>
      {ordered.length > 0 && (
        <div className="flex flex-wrap items-start gap-4" data-testid="steps">
          {ordered.map(([action, , node]) => (
            <StepSlot key={action} primary={action === next || action === 'phase.contract' || action === 'phase.restore'}>
              {node}
            </StepSlot>
          ))}
        </div>
      )}
      {ordered.length === 0 && (
        <p className="text-sm text-slate-600" data-testid="no-step">
          {finished ? 'Finished: nothing is left to do here.' : 'No step of this migration is yours to take now.'}
        </p>
      )}
      <CommentsPanel migrationId={id} comments={people.comments} comment={actions.comment} denied={deniedReason(people.can.comment)} />
    </section>
  );
}
