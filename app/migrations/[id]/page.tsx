import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { AutoRefresh } from '@/components/auto-refresh';
import { AuditTrail } from '@/components/migration/audit-trail';
import { BackfillSection } from '@/components/migration/backfill-section';
import { deniedReason } from '@/components/migration/denied-reason';
import { GateSection } from '@/components/migration/gate-section';
import type { MigrationActions } from '@/components/migration/migration-actions';
import { MigrationHeader } from '@/components/migration/migration-header';
import { NotesSection } from '@/components/migration/notes-section';
import { PhaseHistory } from '@/components/migration/phase-history';
import { PhaseSql } from '@/components/migration/phase-sql';
import { PreflightSection } from '@/components/migration/preflight-section';
import { ReviewSection } from '@/components/migration/review-section';
import { ScheduleSection } from '@/components/migration/schedule-section';
import { ServicesSection } from '@/components/migration/services-section';
import { SignalsSection } from '@/components/migration/signals-section';
import { requireActor } from '@/lib/auth/current-actor';
import { listAudit } from '@/lib/data/audit-log';
import { toLocalInput } from '@/lib/data/update-schedule';
import { getMigrationPeople } from '@/lib/data/get-migration-people';
import { getMigration } from '@/lib/data/get-migrations';
import { statePool } from '@/lib/db/pools';
import { stateAllows } from '@/lib/lifecycle/migration-states';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { MigrationNotFoundError } from '@/lib/state/errors';
import { approveContractAction } from './actions/approve-contract-action';
import { approvePlanAction } from './actions/approve-plan-action';
import { commentAction } from './actions/comment-action';
import { markDeployedAction } from './actions/mark-deployed-action';
import { pauseBackfillAction } from './actions/pause-backfill-action';
import { runPhaseAction } from './actions/run-phase-action';
import { setServicesAction } from './actions/set-services-action';
import { unmarkDeployedAction } from './actions/unmark-deployed-action';
import { updateScheduleAction } from './actions/update-schedule-action';

const actions: MigrationActions = {
  approvePlan: approvePlanAction,
  approveContract: approveContractAction,
  comment: commentAction,
  markDeployed: markDeployedAction,
  unmarkDeployed: unmarkDeployedAction,
  pauseBackfill: pauseBackfillAction,
  runPhase: runPhaseAction,
  setServices: setServicesAction,
  updateSchedule: updateScheduleAction,
};

export default async function MigrationPage({ params }: { params: Promise<{ id: string }> }) {
  await connection();
  const actor = await requireActor();
  const id = parseMigrationId((await params).id) ?? notFound();
  const m = await getMigration(id).catch((e: unknown) => {
    if (e instanceof MigrationNotFoundError) notFound();
    throw e;
  });
  const people = await getMigrationPeople(statePool(), actor, id);
  // What the migration's state allows, from the same rules the server and the executor apply.
  const facts = { state: m.status, expandBegan: m.phases.some((p) => p.phase === 'expand'), deployedAt: m.deployedAt };
  const allows = (action: Parameters<typeof stateAllows>[2]) => stateAllows(id, facts, action).ok;
  const trail = await listAudit(statePool(), { migration: id }, 100);
  return (
    <div className="space-y-8">
      <AutoRefresh active={m.backfill?.status === 'running' || m.jobPending} />
      <MigrationHeader m={m} />
      <PreflightSection preflight={m.preflight} />
      <SignalsSection charts={m.charts} />
      <BackfillSection m={m} pause={actions.pauseBackfill} pauseDenied={deniedReason(people.can.pauseBackfill)} />
      <GateSection gate={m.gate} />
      {m.schedule && (
        <ScheduleSection
          m={m}
          schedule={{
            expandAt: toLocalInput(m.schedule.expandAt, m.timeZone),
            deployAt: toLocalInput(m.schedule.deployAt, m.timeZone),
            contractAt: toLocalInput(m.schedule.contractAt, m.timeZone),
          }}
          save={actions.updateSchedule}
        />
      )}
      <ServicesSection m={m} open={allows({ kind: 'services.set' })} save={actions.setServices} denied={deniedReason(people.can.setServices)} />
      <ReviewSection
        m={m}
        people={people}
        actions={actions}
        deployUndoable={allows({ kind: 'deploy.unmark' })}
        // The typed confirmation is asked only where a rollback after the deploy could actually run.
        rollbackAfterDeploy={!!m.deployedAt && allows({ kind: 'phase.run', phase: 'rollback' })}
      />
      <PhaseHistory m={m} />
      <AuditTrail trail={trail} />
      <PhaseSql m={m} />
      <NotesSection notes={m.notes} />
    </div>
  );
}
