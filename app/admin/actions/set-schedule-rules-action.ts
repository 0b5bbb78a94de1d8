'use server';
import { z } from 'zod';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { setScheduleRulesAs } from '@/lib/data/set-schedule-rules-as';
import { statePool } from '@/lib/db/pools';
import { describeScheduleRules } from '@/lib/timeline/schedule-rules';
import { ADMINS } from './admins';

const whole = z.coerce.number().int();
const input = z.object({ expandHour: whole, deployHour: whole, maxExpandsPerSlot: whole, bufferDays: whole, contractHour: whole });

export const setScheduleRulesAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, fields, data): Promise<PeopleState> => {
  // Day checkboxes repeat one name; the form's other fields are single.
  const days = (name: string) => data.getAll(name).map(Number);
  const rules = await setScheduleRulesAs(statePool(), actor, { ...fields, expandDays: days('expandDays'), noContractDays: days('noContractDays') });
  return { ok: `schedule rules saved. ${describeScheduleRules(rules).slice(0, 2).join(' ')}` };
});
