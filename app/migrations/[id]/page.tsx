import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { AutoRefresh } from '@/components/auto-refresh';
import { AuditTrail } from '@/components/migration/audit-trail';
import { BackfillSection } from '@/components/migration/backfill-section';
import { BrownoutSection, type BrownoutActions } from '@/components/migration/brownout-section';
import { GateSection } from '@/components/migration/gate-section';
import type { MigrationActions } from '@/components/migration/migration-actions';
import { MigrationHeader } from '@/components/migration/migration-header';
import { MigrationSummary } from '@/components/migration/migration-summary';
import { NextStepLine } from '@/components/migration/next-step-line';
import { NotesSection } from '@/components/migration/notes-section';
import { PhaseHistory } from '@/components/migration/phase-history';
import { PhaseSql } from '@/components/migration/phase-sql';
import { contractFileRefusal } from '@/lib/gate/contract-file-refusal';
import { phaseFileRefusal } from '@/lib/lifecycle/phase-file-refusal';
import type { FilePhase } from '@/lib/migrations/render-sql';
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
import { parseChartRange } from '@/lib/metrics/chart-range';
import { statePool } from '@/lib/db/pools';
import { FINISHED_STATES, stateAllows } from '@/lib/lifecycle/migration-states';
import { lastRunOf, nextStep } from '@/lib/lifecycle/next-step';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { MigrationNotFoundError } from '@/lib/state/errors';
import { getCancellation } from '@/lib/data/get-cancellation';
import { approveContractAction } from './actions/approve-contract-action';
import { approvePlanAction } from './actions/approve-plan-action';
import { cancelMigrationAction } from './actions/cancel-migration-action';
import { commentAction } from './actions/comment-action';
import { markDeployedAction } from './actions/mark-deployed-action';
import { pauseBackfillAction } from './actions/pause-backfill-action';
import { requireBrownoutAction } from './actions/require-brownout-action';
import { startBrownoutAction } from './actions/start-brownout-action';
import { stopBrownoutAction } from './actions/stop-brownout-action';
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
  cancel: cancelMigrationAction,
};

const brownoutActions: BrownoutActions = { start: startBrownoutAction, stop: stopBrownoutAction, require: requireBrownoutAction };

export default async function MigrationPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ range?: string | string[] }>;
}) {
  await connection();
  const actor = await requireActor();
  const id = parseMigrationId((await params).id) ?? notFound();
  const range = parseChartRange((await searchParams).range);
  const m = await getMigration(id, range).catch((e: unknown) => {
    if (e instanceof MigrationNotFoundError) notFound();
    throw e;
  });
  const people = await getMigrationPeople(statePool(), actor, id);
  const { charts } = m;
  // Each file follows the same rule as its download route.
  const recorded = (phase: FilePhase) => m.phases.some((p) => p.phase === phase && p.status === 'succeeded' && p.historyVersion !== null);
  const ran = (phase: FilePhase) => m.phases.some((p) => p.phase === phase && p.status === 'succeeded');
  const fileRefusals: Record<FilePhase, string | null> = {
    expand: phaseFileRefusal('expand', ran('expand'), people.can.expand),
    contract: contractFileRefusal({
      recorded: recorded('contract'),
      isAuthor: actor.email === people.author && actor.roles.includes('author'),
      isOnCall: actor.email === people.onCall && actor.roles.includes('oncall'),
      conditions: m.gate.conditions,
    }),
    rollback: phaseFileRefusal('rollback', ran('rollback'), people.can.rollback),
    restore: phaseFileRefusal('restore', ran('restore'), people.can.restore),
  };
  // What the migration's state allows, from the same rules the server and the executor apply.
  const facts = { state: m.status, expandBegan: m.phases.some((p) => p.phase === 'expand'), deployedAt: m.deployedAt };
  const allows = (action: Parameters<typeof stateAllows>[2]) => stateAllows(id, facts, action).ok;
  const trail = await listAudit(statePool(), { migration: id }, 100);
  const finished = FINISHED_STATES.includes(m.status);
  const cancelled = m.status === 'cancelled';
  const cancellation = m.status === 'cancelled' ? await getCancellation(statePool(), id) : null;
  const ended = cancellation
    ? { phase: 'cancel', at: cancellation.at, by: cancellation.by }
    : finished || m.status === 'restored'
      ? lastRunOf(m.status === 'contracted' ? 'contract' : m.status === 'restored' ? 'restore' : 'rollback', m.phases, trail)
      : null;
  const next = nextStep({
    state: m.status,
    now: new Date(),
    author: people.author,
    onCall: people.onCall,
    planApprovals: people.planApprovals.length,
    planApprovalsRequired: people.planApprovalsRequired,
    deployedAt: m.deployedAt,
    backfillRunning: m.backfill?.status === 'running',
    jobPending: m.jobPending,
    gate: m.gate.conditions,
    bufferEndsAt: m.bufferEndsAt,
    ended,
  });
  // The order is the on-call engineer's on a phone: what it waits for, the gate's verdict and
  // evidence, and this person's steps first; the charts, schedule and SQL below. Long names (a
  // service, a column) break anywhere rather than widen the page past a phone.
  return (
    <div className="space-y-8 wrap-anywhere">
      <AutoRefresh active={m.backfill?.status === 'running' || m.jobPending || m.brownouts.some((b) => b.status === 'queued' || b.status === 'running')} />
      <div className="space-y-3">
        <MigrationHeader m={m} />
        <NextStepLine step={next} />
      </div>
      {/* The gate judges a contract: it has nothing to say before the expand, or once the migration is finished. */}
      {/* A restored one may be contracted again: what happened, and the gate for what may come. */}
      {(finished || m.status === 'restored') && <MigrationSummary m={m} people={people} ended={ended} cancellation={cancellation} />}
      {!finished && m.status !== 'planned' && <GateSection gate={m.gate} />}
      <ReviewSection m={m} people={people} actions={actions} next={next.action} finished={finished} />
      {/* A cancelled plan never ran: no backfill, phases, signals or services to show, only what happened. */}
      {!cancelled && <BackfillSection m={m} pause={actions.pauseBackfill} mayPause={people.can.pauseBackfill.ok} />}
      {/* Between expand and contract, and afterwards wherever one ran (its record is evidence the contract was judged on). */}
      {!cancelled && m.status !== 'planned' && (!finished || m.brownouts.length > 0) && (
        <BrownoutSection
          m={m}
          actions={brownoutActions}
          can={{ start: people.can.startBrownout, stop: people.can.stopBrownout, require: people.can.requireBrownout }}
        />
      )}
      {!cancelled && <PhaseHistory m={m} />}
      {!finished && <PreflightSection preflight={m.preflight} />}
      {!cancelled && <SignalsSection charts={charts} />}
      {m.schedule && !finished && (
        <ScheduleSection
          m={m}
          schedule={{
            expandAt: toLocalInput(m.schedule.expandAt, m.timeZone),
            deployAt: toLocalInput(m.schedule.deployAt, m.timeZone),
            contractAt: toLocalInput(m.schedule.contractAt, m.timeZone),
          }}
          save={people.can.schedule.ok ? actions.updateSchedule : null}
        />
      )}
      {!cancelled && <ServicesSection m={m} open={allows({ kind: 'services.set' })} save={actions.setServices} mayEdit={people.can.setServices.ok} />}
      <AuditTrail trail={trail} migrationId={id} />
      <PhaseSql m={m} refusals={fileRefusals} />
      <NotesSection notes={m.notes} />
    </div>
  );
}
