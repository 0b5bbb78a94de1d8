import 'server-only';
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Actor } from '../lifecycle/permissions';
import { StateStore } from '../state/state-store';
import { audit, ForbiddenError, withActor } from './with-actor';

const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'use a date and time such as 2026-11-30T10:00');

export const scheduleSchema = z.object({ expandAt: localDateTime, deployAt: localDateTime, contractAt: localDateTime });

/** "2026-11-30T10:00" on the team's clock → the instant. */
function fromLocal(text: string, timeZone: string): Date {
  const [date, clock] = text.split('T') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, min] = clock.split(':').map(Number) as [number, number];
  return new Date(new TZDate(y, m - 1, d, h, min, timeZone).getTime());
}

/** The author (or an admin) moves the planned phases; the database's policy says who may. */
export async function updateSchedule(pool: Pool, actor: Actor, migrationId: number, input: unknown): Promise<void> {
  const fields = scheduleSchema.parse(input);
  const timeZone = await new StateStore(pool).teamTimeZone();
  const [expandAt, deployAt, contractAt] = [fields.expandAt, fields.deployAt, fields.contractAt].map((t) => fromLocal(t, timeZone)) as [Date, Date, Date];
  if (!(expandAt < deployAt && deployAt < contractAt)) throw new ForbiddenError('the schedule must go expand, then deploy, then contract');
  const monitorFrom = new Date(startOfDay(addDays(new TZDate(deployAt.getTime(), timeZone), 1)).getTime());
  const schedule = { expandAt, deployAt, monitorFrom: monitorFrom < contractAt ? monitorFrom : deployAt, contractAt };
  await withActor(pool, actor, async (c) => {
    const { rowCount } = await c.query('UPDATE expand_contract.migrations SET schedule = $2, updated_at = now() WHERE id = $1', [
      migrationId,
      JSON.stringify(schedule),
    ]);
    // Row-level security hides the row from anyone but the author and admins: no row, no change.
    if (rowCount === 0) throw new ForbiddenError('only the author or an admin changes the schedule');
    await audit(c, actor, 'schedule.changed', migrationId, schedule);
  });
}

/** The stored instant as the form's value, on the team's clock. */
export function toLocalInput(d: Date, timeZone: string): string {
  const t = new TZDate(d.getTime(), timeZone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}`;
}
