import 'server-only';
import type { ClientBase, Pool } from 'pg';
import { mayAct } from '../lifecycle/may-act';
import type { Actor } from '../lifecycle/permissions';
import { contractGate, type GateEvidenceDeps } from '../signals/gate-evidence';
import { StateStore } from '../state/state-store';
import { evidenceSummary } from '../gate/evidence-summary';
import { permissionContext } from './permission-context';
import { audit, ForbiddenError, withActor } from './with-actor';

export type GatePolicy = Pick<GateEvidenceDeps, 'sampleEverySeconds' | 'observationMinutes' | 'bufferMinutes' | 'regression'>;

/**
 * The person on call approves the contract on the evidence as it is now: every other
 * condition must be met, and the approval records that evidence, so the contract run can
 * tell when it changed since. Only where a contract could follow (the lifecycle's rule, checked
 * again by the database's policy): never once contracted or rolled back.
 */
export async function approveContract(pool: Pool, target: ClientBase, policy: GatePolicy, actor: Actor, migrationId: number): Promise<void> {
  const ctx = await permissionContext(pool, migrationId);
  const allowed = mayAct(actor, 'contract.approve', ctx);
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const store = new StateStore(pool);
  const migration = await store.getMigration(migrationId);
  const { decision, evidence } = await contractGate({ store, target, ...policy }, migration, new Date());
  const blocking = decision.conditions.filter((c) => !c.met && c.name !== 'approval');
  if (blocking.length > 0) throw new ForbiddenError(`the evidence does not allow a contract yet: ${blocking.map((c) => c.detail).join('; ')}`);
  const summary = evidenceSummary(evidence);
  await withActor(pool, actor, async (c) => {
    await c.query(
      "INSERT INTO expand_contract.approvals (migration_id, kind, approver_id, evidence, evidence_fingerprint) VALUES ($1, 'contract', $2, $3, $4)",
      [migrationId, actor.id, JSON.stringify(decision.conditions), summary],
    );
    await audit(c, actor, 'contract.approved', migrationId, { conditions: decision.conditions });
  });
}
