import { ActionForm } from '@/components/action-form';
import { StatusBadge, type Status } from '@/components/status-badge';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import { DEFAULT_BROWNOUT_MINUTES } from '@/lib/lifecycle/brownout-rules';
import { dateTimeFormat } from '@/lib/timeline/date-time-format';
import type { BrownoutRecord } from '@/lib/state/brownout-records';

export interface BrownoutActions {
  start: FormAction;
  stop: FormAction;
  require: FormAction;
}

type Can = { ok: boolean; reason?: string };

const TONE: Record<BrownoutRecord['status'], Status> = { queued: 'info', running: 'progress', clean: 'ok', reverted: 'error', failed: 'neutral' };
const WORD: Record<BrownoutRecord['status'], string> = { queued: 'queued', running: 'running', clean: 'clean', reverted: 'reverted', failed: 'did not start' };

const length = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} min` : seconds > 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds} s`);

/**
 * The contract rehearsed: the old column out of the application's reach for a few minutes, put
 * back within seconds if anything breaks. Who may start or stop one sees the buttons (with why
 * not, when the state does not allow it); everyone sees every brownout and what it broke.
 */
export function BrownoutSection({ m, actions, can }: { m: MigrationDetail; actions: BrownoutActions; can: { start: Can; stop: Can; require: Can } }) {
  const spec = m.plan.brownout;
  const column = spec?.column ?? ('column' in m.spec ? m.spec.column : '');
  const time = dateTimeFormat('en-GB', {
    timeZone: m.timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const current = m.brownouts.find((b) => b.status === 'queued' || b.status === 'running');
  const required = m.requireBrownout.migration || m.requireBrownout.team;
  return (
    <section className="space-y-3" data-testid="brownout">
      <h2 className="text-lg font-semibold">Brownout</h2>
      <p className="max-w-2xl text-sm text-slate-700">
        A rehearsal of the contract: <code className="font-mono">{column}</code> is out of the application&apos;s reach for a few minutes, exactly as after the
        drop, and comes back within seconds if anything still uses it (a 42703 in the Postgres log, an error rate above its baseline). New code keeps working,
        and what it writes reaches the old column.
      </p>
      {spec === null ? (
        <p className="text-sm text-slate-600">This change drops no column old code uses: there is nothing to rehearse.</p>
      ) : spec === undefined ? (
        <p className="text-sm text-slate-600">This plan was made before brownouts existed: plan it again to rehearse its contract.</p>
      ) : null}
      <p className="text-sm" data-testid="brownout-required">
        <span className="font-medium">Before the contract: </span>
        {required
          ? `one clean brownout is required (${m.requireBrownout.team ? 'a team setting, EC_REQUIRE_BROWNOUT' : 'asked of this migration'}).`
          : 'not required; one that breaks something still closes the gate.'}
      </p>
      {!m.requireBrownout.team && can.require.ok && (
        <ActionForm
          action={actions.require}
          hidden={{ migrationId: m.id, required: m.requireBrownout.migration ? 'no' : 'yes' }}
          label={m.requireBrownout.migration ? 'Do not require a brownout' : 'Require a clean brownout'}
        />
      )}
      {current && (
        <div className="max-w-2xl space-y-2 rounded border border-indigo-200 bg-indigo-50 p-3 text-sm" data-testid="brownout-current" role="status">
          {current.status === 'queued' ? (
            <p>
              Queued at {time.format(current.createdAt)} for {length(current.seconds)}: it starts when the worker picks it up.
            </p>
          ) : (
            <p>
              <span className="font-medium">{column} is out of reach</span> until {time.format(current.endsAt!)} ({length(current.seconds)}, started by{' '}
              {current.requestedByName}). Watching the Postgres log and the services&apos; error rates.
            </p>
          )}
          {can.stop.ok && (
            <ActionForm action={actions.stop} hidden={{ migrationId: m.id }} label="Stop and put the column back" danger>
              {current.stopRequested && <p className="text-sm text-slate-700">Stop asked for: the column comes back within a second.</p>}
            </ActionForm>
          )}
        </div>
      )}
      {spec && !current && (
        <ActionForm action={actions.start} hidden={{ migrationId: m.id }} label="Start brownout" denied={can.start.ok ? undefined : can.start.reason}>
          {can.start.ok && (
            <label className="flex flex-wrap items-center gap-2 text-sm">
              Minutes
              <input
                name="minutes"
                type="number"
                inputMode="decimal"
                min={0.1}
                max={60}
                step="any"
                defaultValue={DEFAULT_BROWNOUT_MINUTES}
                className="w-24 rounded border border-slate-300 px-2 py-1"
              />
              <span className="text-slate-600">0.1 to 60; a minutely job shows itself within a few.</span>
            </label>
          )}
        </ActionForm>
      )}
      {m.brownouts.length > 0 && (
        <ol className="space-y-3" data-testid="brownout-history">
          {m.brownouts.map((b) => (
            <li key={b.id} className="space-y-1 rounded border border-slate-200 p-3 text-sm" data-status={b.status}>
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <StatusBadge status={TONE[b.status]} state={b.status}>
                  {WORD[b.status]}
                </StatusBadge>
                <span className="text-slate-700">
                  {b.startedAt ? time.format(b.startedAt) : time.format(b.createdAt)} · {length(b.seconds)}
                  {b.startedAt && b.endedAt ? `, ran ${Math.max(1, Math.round((b.endedAt.getTime() - b.startedAt.getTime()) / 1000))} s` : ''} ·{' '}
                  {b.requestedByName}
                </span>
                {b.revertMs !== null && (
                  <span className="font-medium text-rose-800" data-testid="brownout-revert">
                    back {(b.revertMs / 1000).toFixed(1)} s after the first break
                  </span>
                )}
              </div>
              {/* What broke says it better, line by line, than the one-line outcome. */}
              {b.outcome && (b.breaks.length === 0 ? <p className="text-slate-700">{b.outcome}</p> : <p className="text-slate-700">Put back because:</p>)}
              {b.breaks.length > 0 && (
                <ul className="space-y-2 border-t border-slate-100 pt-2" data-testid="brownout-breaks" aria-label="What broke">
                  {b.breaks.map((x, i) => (
                    <li key={i} className="space-y-0.5">
                      <p>
                        <span className="font-mono text-xs">{x.sqlstate}</span> {x.message}
                      </p>
                      <p className="text-xs text-slate-600">
                        {x.source === 'service' ? `service ${x.application}` : `from ${x.application ?? 'an unnamed application'}`}
                        {x.role ? ` · role ${x.role}` : ''} · {x.count} {x.count === 1 ? 'time' : 'times'}
                      </p>
                      {x.query && <code className="block rounded bg-slate-50 p-1.5 font-mono text-[11px] break-all text-slate-800">{x.query}</code>}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
