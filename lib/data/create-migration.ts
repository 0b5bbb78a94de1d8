import 'server-only';
import type { ClientBase, Pool } from 'pg';
import { describeUrl } from '../db/connection-url';
import { permission, type Actor } from '../lifecycle/permissions';
import { targetIdentity } from '../db/target-identity';
import type { OperationSpec, PlanOptions } from '../migrations/types';
import { DEFAULT_PLAN_OPTIONS } from '../migrations/types';
import { planChange } from '../planning/plan-change';
import { proposeScheduleFor } from '../state/propose-schedule-for';
import { audit, ForbiddenError, withActor } from './with-actor';

/** An author registers a change planned on the live target; they are its author for the two-person rules. */
export async function createMigrationAs(
  pool: Pool,
  target: ClientBase,
  targetUrl: string,
  actor: Actor,
  spec: OperationSpec,
  options: Partial<PlanOptions> = {},
): Promise<number> {
  const allowed = permission(actor, { kind: 'migration.create' });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const plan = await planChange(target, spec, { ...DEFAULT_PLAN_OPTIONS, ...options });
  const identity = await targetIdentity(target);
  return withActor(pool, actor, async (c) => {
    // Proposed in the transaction that inserts: the slot's count cannot change before the insert commits.
    const schedule = await proposeScheduleFor(c, spec);
    const { rows } = await c.query(
      `INSERT INTO expand_contract.migrations (plan_id, slug, title, spec, plan, target, target_identity, author_id, created_by, schedule)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        plan.id,
        plan.slug,
        plan.title,
        JSON.stringify(plan.operation),
        JSON.stringify(plan),
        describeUrl(targetUrl),
        identity,
        actor.id,
        actor.email,
        JSON.stringify(schedule),
      ],
    );
    const id = Number(rows[0].id);
    await audit(c, actor, 'migration.created', id, { title: plan.title });
    return id;
  });
}
