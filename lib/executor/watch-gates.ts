import pg, { type Pool } from 'pg';
import { connectTarget } from '../db/connect-target';
import { contractGate, type GateEvidenceDeps } from '../signals/gate-evidence';
import { recordMigrationEvent } from '../state/record-migration-event';
import { StateStore } from '../state/state-store';

/**
 * Looks at every migration waiting for its contract and tells the webhooks what changed: its gate
 * opened, its contract waits only for the on-call approval, or an error rate rose above its
 * baseline after a phase. Each is one event per deploy mark (or per phase and series), however
 * often and by however many workers it is noticed: the event's key makes it one.
 */
export async function watchGates(
  deps: { state: Pool; targetUrl: string; log?: (line: string) => void } & Omit<GateEvidenceDeps, 'store' | 'target'>,
  now = new Date(),
): Promise<number> {
  const store = new StateStore(deps.state);
  const { rows } = await deps.state.query<{ id: string; on_call: string | null }>(
    `SELECT m.id, (SELECT email FROM expand_contract.users WHERE id = expand_contract.on_call_at(now())) AS on_call
       FROM expand_contract.migrations m
      WHERE m.status IN ('backfilled', 'restored') AND m.deployed_at IS NOT NULL AND NOT m.seeded`,
  );
  if (rows.length === 0) return 0;
  const target = new pg.Client({ connectionString: deps.targetUrl, application_name: 'expand-contract-gate-watch' });
  target.on('error', () => {});
  await connectTarget(target);
  let told = 0;
  try {
    for (const row of rows) {
      const migration = await store.getMigration(Number(row.id));
      const deployed = migration.deployedAt!.getTime();
      const { decision, evidence } = await contractGate({ ...deps, store, target }, migration, now);
      const unmet = decision.conditions.filter((c) => !c.met);
      const conditions = decision.conditions.map((c) => ({ name: c.name, met: c.met, detail: c.detail }));
      const tell = async (key: string, event: Parameters<typeof recordMigrationEvent>[1]['event'], summary: string, evidence: Record<string, unknown>) => {
        await recordMigrationEvent(deps.state, { key, event, migrationId: migration.id, summary, evidence }, deps.log);
        told += 1;
      };
      if (decision.allowed) {
        await tell(`gate.opened:${migration.id}:${deployed}`, 'gate.opened', 'the contract gate is open: the person on call may contract', { conditions });
      } else if (unmet.length === 1 && unmet[0]!.name === 'approval') {
        await tell(
          `contract.awaiting-approval:${migration.id}:${deployed}`,
          'contract.awaiting-approval',
          `the evidence allows the contract: it waits for the approval of the person on call${row.on_call ? ` (${row.on_call})` : ''}`,
          { conditions, onCall: row.on_call },
        );
      }
      for (const phase of evidence.errors?.phases ?? []) {
        for (const s of phase.series.filter((x) => x.regression)) {
          await tell(
            `errors.regressed:${migration.id}:${phase.phase}:${phase.at.getTime()}:${s.source}:${s.service}`,
            'errors.regressed',
            `error rate above its baseline after ${phase.phase}: ${s.detail}`,
            { phase: phase.phase, source: s.source, service: s.service, detail: s.detail },
          );
        }
      }
    }
  } finally {
    await target.end().catch(() => {});
  }
  return told;
}
