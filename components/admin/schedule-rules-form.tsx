'use client';
import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import { WEEKDAYS, type ScheduleRules } from '@/lib/timeline/schedule-rules';
import { FIELD, INPUT, SubmitAndAnswer, useAdminForm } from './use-admin-form';

/** The team's rhythm for proposing new migrations' phases (team time zone); existing schedules keep their times. */
export function ScheduleRulesForm({ action, rules, timeZone }: { action: FormAction<PeopleState>; rules: ScheduleRules; timeZone: string }) {
  const { ref, state, pending, onSubmit } = useAdminForm(action, { resetOnOk: false });
  const days = (name: 'expandDays' | 'noContractDays', legend: string) => (
    <fieldset className="min-w-0 text-sm">
      <legend>{legend}</legend>
      <div className="mt-1 flex flex-wrap gap-x-3 gap-y-1">
        {WEEKDAYS.map((day, i) => (
          <label key={day} className="flex items-center gap-1">
            <input type="checkbox" name={name} value={i} defaultChecked={rules[name].includes(i)} />
            {day}
          </label>
        ))}
      </div>
    </fieldset>
  );
  const number = (name: keyof ScheduleRules, label: string, min: number, max: number) => (
    <label className={FIELD}>
      {label}
      <input name={name} type="number" min={min} max={max} step={1} defaultValue={rules[name] as number} required className={INPUT} />
    </label>
  );
  return (
    <form ref={ref} onSubmit={onSubmit} className="min-w-0 space-y-3 rounded border border-slate-200 p-4" data-testid="schedule-rules-form">
      {days('expandDays', 'Expand days')}
      <div className="grid min-w-0 gap-3 sm:grid-cols-3">
        {number('expandHour', `Expand at (hour, ${timeZone})`, 0, 23)}
        {number('deployHour', 'Deploy at (hour, same day)', 0, 23)}
        {number('maxExpandsPerSlot', 'Expands per slot, at most', 1, 50)}
        {number('bufferDays', 'Buffer before the contract (days)', 1, 60)}
        {number('contractHour', 'Contract at (hour)', 0, 23)}
      </div>
      {days('noContractDays', 'Days without contracts')}
      <SubmitAndAnswer label="Save schedule rules" pending={pending} state={state} />
    </form>
  );
}
