import { ActionForm } from '@/components/action-form';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import { describeClashes } from '@/lib/timeline/schedule-windows';

/** The planned times, as datetime-local values in the migration's time zone. */
export type ScheduleInputs = Record<'expandAt' | 'deployAt' | 'contractAt', string>;

/**
 * The planned times: a form for the author and admins (the only people whose save the server and
 * the database accept), the times as text for everyone else.
 */
export function ScheduleSection({ m, schedule, save }: { m: MigrationDetail; schedule: ScheduleInputs; save: FormAction | null }) {
  return (
    <section className="space-y-2" data-testid="schedule">
      <h2 className="text-lg font-semibold">Schedule ({m.timeZone})</h2>
      {save ? (
        <ScheduleForm m={m} schedule={schedule} save={save} />
      ) : (
        <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="schedule-times">
          {(
            [
              ['Expand', schedule.expandAt],
              ['Deploy', schedule.deployAt],
              ['Contract', schedule.contractAt],
            ] as const
          ).map(([label, at]) => (
            <div key={label}>
              <dt className="inline font-medium text-slate-600">{label}: </dt>
              <dd className="inline font-mono">{at.replace('T', ' ')}</dd>
            </div>
          ))}
        </dl>
      )}
      {m.scheduleClashes.length > 0 && (
        <ul className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900" data-testid="schedule-clash">
          {describeClashes(m.scheduleClashes).map((line) => (
            <li key={line}>
              ⚠ {line}: both would run their triggers and backfills on it at once. Move one after the other&apos;s contract, unless you mean it.
            </li>
          ))}
        </ul>
      )}
      <p className="text-xs text-slate-600">Monitoring runs from the day after the deploy until the contract: that buffer is the band on the timeline.</p>
    </section>
  );
}

function ScheduleForm({ m, schedule, save }: { m: MigrationDetail; schedule: ScheduleInputs; save: FormAction }) {
  return (
    <ActionForm action={save} hidden={{ migrationId: m.id }} label="Save schedule">
      <div className="flex flex-wrap gap-3 text-sm">
        {(
          [
            ['expandAt', 'Expand', schedule.expandAt],
            ['deployAt', 'Deploy', schedule.deployAt],
            ['contractAt', 'Contract', schedule.contractAt],
          ] as const
        ).map(([name, label, at]) => (
          <label key={name} className="flex flex-col">
            {label}
            <input type="datetime-local" name={name} defaultValue={at} className="rounded border border-slate-300 px-2 py-1" />
          </label>
        ))}
      </div>
    </ActionForm>
  );
}
