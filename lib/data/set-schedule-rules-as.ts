import 'server-only';
import type { Pool } from 'pg';
import { permission, type Actor } from '../lifecycle/permissions';
import { scheduleRulesSchema, type ScheduleRules } from '../timeline/schedule-rules';
import { audit, ForbiddenError, withActor } from './with-actor';

/**
 * An admin changes the team's schedule rules: refused here when they are not one, checked for
 * shape, then written as them through the database's own function, which checks both again.
 * Proposals for new migrations follow at once; existing schedules stay as they are.
 */
export async function setScheduleRulesAs(pool: Pool, actor: Actor, input: unknown): Promise<ScheduleRules> {
  const allowed = permission(actor, { kind: 'admin' });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const rules = scheduleRulesSchema.parse(input);
  await withActor(pool, actor, async (c) => {
    await c.query('SELECT expand_contract.set_schedule_rules($1)', [JSON.stringify(rules)]);
    await audit(c, actor, 'settings.schedule-rules', null, rules);
  });
  return rules;
}
