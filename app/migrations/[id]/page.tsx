import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { AutoRefresh } from '@/components/auto-refresh';
import { BackfillSummary } from '@/components/backfill-summary';
import { StatusBadge } from '@/components/status-badge';
import { ActionForm } from '@/components/action-form';
import { MigrationCharts } from '@/components/migration-charts';
import { CopyButton } from '@/components/copy-button';
import { PhaseStepper } from '@/components/phase-stepper';
import { FILE_PHASES, renderPhase, type FilePhase } from '@/lib/migrations/render-sql';
import { requireActor } from '@/lib/auth/current-actor';
import { rollbackConfirmation } from '@/lib/lifecycle/permissions';
import { stateAllows } from '@/lib/lifecycle/migration-states';
import { statePool } from '@/lib/db/pools';
import { parseMigrationId } from '@/lib/migrations/parse-migration-id';
import { listAudit } from '@/lib/data/audit-log';
import { getMigrationPeople } from '@/lib/data/get-migration-people';
import { getMigration } from '@/lib/data/get-migrations';
import { MigrationNotFoundError } from '@/lib/state/errors';
import { toLocalInput } from '@/lib/data/update-schedule';
import { approveContractAction, approvePlanAction, commentAction, markDeployedAction, pauseBackfillAction, runPhaseAction, setServicesAction, unmarkDeployedAction, updateScheduleAction } from './actions';

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
  const servicesOpen = stateAllows(id, facts, { kind: 'services.set' }).ok;
  const deployUndoable = stateAllows(id, facts, { kind: 'deploy.unmark' }).ok;
  // The typed confirmation is asked only where a rollback after the deploy could actually run.
  const rollbackAfterDeploy = !!m.deployedAt && stateAllows(id, facts, { kind: 'phase.run', phase: 'rollback' }).ok;
  const trail = await listAudit(statePool(), { migration: id }, 100);
  const denied = (p: { ok: boolean; reason?: string }) => (p.ok ? undefined : p.reason);
  const confirmText = 'table' in m.spec && 'column' in m.spec ? `${m.spec.table}.${m.spec.column}` : '';
  return (
    <div className="space-y-8">
      <AutoRefresh active={m.backfill?.status === 'running' || m.jobPending} />
      <header>
        <p className="text-sm text-slate-500">Migration {m.id} · {m.target}</p>
        <h1 className="text-2xl font-semibold tracking-tight">{m.title}</h1>
        <div className="mt-2">
          <StatusBadge status="ok">{m.status}</StatusBadge>
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

      <section className="space-y-2" data-testid="preflight">
        <h2 className="text-lg font-semibold">Pre-flight checklist</h2>
        <ul className="space-y-1 text-sm">
          {m.preflight.map((q) => (
            <li key={q.question} className="flex items-start gap-2" data-answer={q.answer}>
              <StatusBadge status={q.answer === 'yes' ? 'ok' : q.answer === 'no' ? 'error' : 'warn'}>{q.answer}</StatusBadge>
              <span>
                <span className="font-medium">{q.question}</span> {q.evidence}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section className="space-y-2">
        <h2 className="text-lg font-semibold">Signals</h2>
        <MigrationCharts data={m.charts} />
      </section>

      <section className="space-y-2">
        <h2 className="text-lg font-semibold">Backfill</h2>
        <div className="max-w-xl">
          <BackfillSummary backfill={m.backfill} />
        </div>
        {m.backfill?.status === 'running' && (
          <ActionForm action={pauseBackfillAction} hidden={{ migrationId: id }} label="Pause backfill" denied={people.can.pauseBackfill.ok ? undefined : people.can.pauseBackfill.reason} />
        )}
      </section>

      <section className="space-y-2" data-testid="gate">
        <h2 className="text-lg font-semibold">Contract gate: {m.gate.allowed ? 'allowed' : 'not allowed'}</h2>
        <ul className="space-y-1 text-sm">
          {m.gate.conditions.map((c) => (
            <li key={c.name} data-testid="gate-condition" data-met={c.met} data-state={c.met ? 'met' : c.unknown ? 'unknown' : 'not-met'} className="flex items-start gap-2">
              <StatusBadge status={c.met ? 'ok' : c.unknown ? 'warn' : 'error'}>{c.met ? 'met' : c.unknown ? 'unknown' : 'not met'}</StatusBadge>
              <span>
                <span className="font-medium">{c.name}</span>: {c.detail}
              </span>
            </li>
          ))}
        </ul>
      </section>

      {m.schedule && (
        <section className="space-y-2" data-testid="schedule">
          <h2 className="text-lg font-semibold">Schedule ({m.timeZone})</h2>
          <ActionForm action={updateScheduleAction} hidden={{ migrationId: id }} label="Save schedule">
            <div className="flex flex-wrap gap-3 text-sm">
              {(
                [
                  ['expandAt', 'Expand', m.schedule.expandAt],
                  ['deployAt', 'Deploy', m.schedule.deployAt],
                  ['contractAt', 'Contract', m.schedule.contractAt],
                ] as const
              ).map(([name, label, at]) => (
                <label key={name} className="flex flex-col">
                  {label}
                  <input type="datetime-local" name={name} defaultValue={toLocalInput(at, m.timeZone)} className="rounded border border-slate-300 px-2 py-1" />
                </label>
              ))}
            </div>
          </ActionForm>
          <p className="text-xs text-slate-600">Monitoring runs from the day after the deploy until the contract: that buffer is the band on the timeline.</p>
        </section>
      )}

      <section className="space-y-2" data-testid="services">
        <h2 className="text-lg font-semibold">Error evidence</h2>
        <p className="text-sm text-slate-700">
          {m.services ? `From ${m.services.join(', ')}, the services named for this change,` : 'From every service reporting to the dashboard,'} and the target&apos;s Postgres log.
          {!servicesOpen && ' Fixed since the expand began: the evidence is judged on it from there.'}
        </p>
        {servicesOpen && (
          // Named before the expand only: leaving a service out afterwards could hide its regression.
          <ActionForm action={setServicesAction} hidden={{ migrationId: id }} label="Save services" denied={denied(people.can.setServices)}>
            <label className="block text-sm">
              Services that use this table (comma-separated, as they report; empty: every service)
              <input name="services" defaultValue={m.services?.join(', ') ?? ''} maxLength={5000} className="mt-1 block w-full max-w-xl rounded border border-slate-300 px-2 py-1" />
            </label>
          </ActionForm>
        )}
      </section>

      <section className="space-y-3" data-testid="people">
        <h2 className="text-lg font-semibold">Review and approval</h2>
        <p className="text-sm text-slate-700">
          Author: {people.author ?? 'created from the command line (no approvals needed)'} · on call now: {people.onCall ?? 'nobody'} · plan approvals:{' '}
          {people.planApprovals.length} of {people.planApprovalsRequired}
          {people.planApprovals.length > 0 && ` (${people.planApprovals.map((a) => a.by).join(', ')})`}
        </p>
        <div className="grid gap-4 md:grid-cols-2">
          <ActionForm action={approvePlanAction} hidden={{ migrationId: id }} label="Approve plan" denied={denied(people.can.approvePlan)} />
          <ActionForm action={approveContractAction} hidden={{ migrationId: id }} label="Approve contract" denied={denied(people.can.approveContract)} />
        </div>
        <div className="flex flex-wrap gap-4">
          {(['expand', 'backfill', 'verify'] as const).map((phase) => (
            <ActionForm key={phase} action={runPhaseAction} hidden={{ migrationId: id, phase }} label={`Run ${phase}`} denied={denied(people.can[phase])} />
          ))}
          <ActionForm action={markDeployedAction} hidden={{ migrationId: id }} label="Mark deployed" denied={m.deployedAt ? `deployed ${m.deployedAt.toISOString()}` : denied(people.can.markDeployed)} />
          {deployUndoable && (
            // A mark made too early would start the buffer before the new code is live.
            <ActionForm action={unmarkDeployedAction} hidden={{ migrationId: id }} label="Take back deploy mark" denied={denied(people.can.markDeployed)} />
          )}
          {!rollbackAfterDeploy && <ActionForm action={runPhaseAction} hidden={{ migrationId: id, phase: 'rollback' }} label="Run rollback" denied={denied(people.can.rollback)} />}
        </div>
        {rollbackAfterDeploy && m.deployedAt && (
          <div className="max-w-xl rounded border border-amber-300 bg-amber-50 p-3" data-testid="rollback-form">
            <ActionForm action={runPhaseAction} hidden={{ migrationId: id, phase: 'rollback' }} label="Run rollback" danger denied={denied(people.can.rollback)}>
              <label className="block text-sm">
                The deploy is marked: code running now reads the new column, and the rollback drops it. Type{' '}
                <code className="font-mono">{rollbackConfirmation(m.deployedAt)}</code> to confirm:
                <input name="confirm" autoComplete="off" className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono" />
              </label>
            </ActionForm>
          </div>
        )}
        <div className="max-w-xl rounded border border-red-200 bg-red-50 p-3" data-testid="contract-form">
          <ActionForm
            action={runPhaseAction}
            hidden={{ migrationId: id, phase: 'contract' }}
            label="Contract"
            danger
            denied={denied(people.can.contract) ?? (m.gate.allowed ? undefined : `the gate is closed: ${m.gate.reasons.join('; ')}`)}
          >
            <label className="block text-sm">
              Drops the old column for good (an archive allows a restore). Type <code className="font-mono">{confirmText}</code> to confirm:
              <input name="confirm" autoComplete="off" className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono" />
            </label>
          </ActionForm>
        </div>
        <div className="space-y-2">
          <h3 className="font-medium">Comments</h3>
          {people.comments.length === 0 && <p className="text-sm text-slate-600">No comments yet.</p>}
          <ul className="space-y-1 text-sm">
            {people.comments.map((c, i) => (
              <li key={i}>
                <span className="font-medium">{c.by}</span> <span className="text-slate-500">{c.at.toISOString()}</span>: {c.body}
              </li>
            ))}
          </ul>
          <ActionForm action={commentAction} hidden={{ migrationId: id }} label="Comment" denied={denied(people.can.comment)}>
            <label className="block text-sm">
              Comment
              <textarea name="body" rows={2} maxLength={5000} className="mt-1 block w-full rounded border border-slate-300 px-2 py-1" />
            </label>
          </ActionForm>
        </div>
      </section>

      <section className="space-y-2">
        <h2 className="text-lg font-semibold">Phases</h2>
        {m.phases.length === 0 ? (
          <p className="text-sm text-slate-600">
            Nothing has run yet: <code className="font-mono">npx expand-contract run {m.id} expand</code>
          </p>
        ) : (
          <ol className="space-y-1 text-sm" data-testid="phases">
            {m.phases.map((p) => (
              <li key={p.id} className="flex flex-wrap gap-x-3">
                <span className="w-20 font-mono">{p.phase}</span>
                <StatusBadge status={p.status === 'succeeded' ? 'ok' : p.status === 'failed' ? 'error' : 'warn'}>{p.status}</StatusBadge>
                <span className="text-slate-600">
                  {p.startedAt.toISOString()} · {p.source === 'supabase-cli' ? 'applied with the Supabase CLI' : p.actor}
                  {p.error ? ` · ${p.error}` : ''}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="space-y-2" data-testid="audit-trail">
        <h2 className="text-lg font-semibold">Audit trail</h2>
        <ol className="space-y-1 text-sm">
          {trail.map((e) => (
            <li key={e.id} className="flex flex-wrap gap-x-3">
              <span className="text-slate-500">{e.at.toISOString()}</span>
              <span className="font-medium">{e.actor}</span>
              <span className="font-mono">{e.action}</span>
            </li>
          ))}
        </ol>
      </section>

      <section className="space-y-2" data-testid="sql">
        <h2 className="text-lg font-semibold">SQL of every phase</h2>
        {(Object.keys(FILE_PHASES) as FilePhase[]).map((phase) => {
          const sql = renderPhase(m.plan, phase);
          return (
            <details key={phase} className="rounded border border-slate-200" data-phase={phase}>
              <summary className="flex cursor-pointer items-center gap-3 px-3 py-2 text-sm font-medium">
                {phase}
                <CopyButton text={sql} label={`Copy the ${phase} SQL`} />
                <a href={`/migrations/${id}/files/${phase}`} className="text-xs underline" download>
                  download as Supabase migration
                </a>
              </summary>
              <pre className="max-h-96 overflow-auto bg-slate-50 p-3 text-xs">{sql}</pre>
            </details>
          );
        })}
      </section>

      {m.notes.length > 0 && (
        <section className="space-y-1 text-sm text-slate-700">
          <h2 className="text-lg font-semibold">Notes</h2>
          {m.notes.map((n) => (
            <p key={n}>{n}</p>
          ))}
        </section>
      )}
    </div>
  );
}
