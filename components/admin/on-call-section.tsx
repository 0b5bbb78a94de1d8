import type { FormAction } from '@/lib/actions/action-state';
import type { PeopleState } from '@/lib/actions/people-state';
import type { PeopleView } from '@/lib/data/get-people';
import { ActionForm } from '../action-form';
import { OverrideForm } from './override-form';
import { RotationForm } from './rotation-form';

const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Who is on call now, the rotation and the overrides not yet over, each changed in place. */
export function OnCallSection({
  view,
  defaults,
  actions,
}: {
  view: Pick<PeopleView, 'rotation' | 'startsAt' | 'shiftDays' | 'onCallNow' | 'overrides'>;
  defaults: { startsAt: string; from: string; to: string };
  actions: { setRotation: FormAction<PeopleState>; addOverride: FormAction<PeopleState>; removeOverride: FormAction<PeopleState> };
}) {
  return (
    <section className="min-w-0 space-y-3">
      <h2 className="text-lg font-semibold">On call</h2>
      <p className="text-sm wrap-anywhere">
        Now: <span data-testid="on-call-now">{view.onCallNow ?? 'nobody'}</span> · rotation:{' '}
        <span data-testid="rotation">{view.rotation.join(' → ') || 'none'}</span>
        {view.startsAt && view.rotation.length > 0 && (
          <span className="text-slate-600">
            {' '}
            (shifts of {view.shiftDays} day{view.shiftDays === 1 ? '' : 's'} from {minute(view.startsAt)})
          </span>
        )}
      </p>
      <RotationForm action={actions.setRotation} defaults={{ emails: view.rotation.join(', '), startsAt: defaults.startsAt, shiftDays: view.shiftDays }} />
      <h3 className="font-medium">Overrides</h3>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="overrides">
        {view.overrides.map((o) => (
          <li key={o.id} className="flex min-w-0 flex-wrap items-start justify-between gap-2 px-3 py-2" data-testid="override-row">
            <div className="min-w-0 flex-1">
              <p className="wrap-anywhere">{o.email}</p>
              <p className="text-xs text-slate-600">
                {minute(o.from)} → {minute(o.to)}
              </p>
              {o.reason && <p className="text-xs text-slate-600 wrap-anywhere">{o.reason}</p>}
            </div>
            <ActionForm action={actions.removeOverride} hidden={{ id: o.id }} label="Remove" />
          </li>
        ))}
        {view.overrides.length === 0 && <li className="px-3 py-2 text-slate-600">No overrides now or ahead.</li>}
      </ul>
      <OverrideForm action={actions.addOverride} defaults={{ from: defaults.from, to: defaults.to }} />
    </section>
  );
}
