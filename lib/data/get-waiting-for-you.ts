import 'server-only';
import pLimit from 'p-limit';
import type { Pool } from 'pg';
import { parseEnv } from '../config/env';
import { redactSecrets } from '../db/connection-url';
import { gatePolicy } from '../gate/gate-policy';
import { FINISHED_STATES } from '../lifecycle/migration-states';
import type { Actor } from '../lifecycle/permissions';
import { contractGate, type GateFacts } from '../signals/gate-evidence';
import type { MigrationRecord } from '../state/records';
import { StateStore } from '../state/state-store';
import { needsGate, waitingForYou, type GateNow, type WaitingCandidate, type WaitingItem } from '../lifecycle/waiting-for-you';
import { permissionContexts } from './permission-context';

/**
 * What waits for the signed-in person (lib/lifecycle/waiting-for-you.ts decides), read now: every
 * migration not finished, as the lifecycle's rules see it, and the contract gate of those the
 * person on call could take, evaluated the way the contract run would.
 */
export async function getWaitingForYou(state: Pool, target: Pool, actor: Actor, now = new Date()): Promise<WaitingItem[]> {
  const { rows } = await state.query<{ id: string; title: string; approved: boolean }>(
    `SELECT m.id, m.title,
            EXISTS (SELECT 1 FROM expand_contract.approvals a WHERE a.migration_id = m.id AND a.kind = 'plan' AND a.approver_id = $1) AS approved
       FROM expand_contract.migrations m
      WHERE m.status <> ALL ($2::text[])
      ORDER BY m.id`,
    [actor.id, FINISHED_STATES],
  );
  const contexts = await permissionContexts(
    state,
    rows.map((r) => Number(r.id)),
  );
  // The state every gate starts from, for all of them in four queries rather than four each.
  const gated = new Set(
    rows.flatMap((r) => {
      const ctx = contexts.get(Number(r.id));
      return ctx && needsGate(actor, ctx) ? [ctx.id] : [];
    }),
  );
  const facts = gated.size > 0 ? await gateFactsOf(state, [...gated]) : null;
  // The gates read both databases: a few at a time, so a long list neither waits in line nor takes every connection.
  const limit = pLimit(4);
  const candidates = await Promise.all(
    rows.map((row) =>
      limit(async (): Promise<WaitingCandidate | null> => {
        const ctx = contexts.get(Number(row.id));
        if (!ctx) return null;
        const gate = facts && gated.has(ctx.id) ? await gateNow(state, target, facts, ctx.id, now) : null;
        return { ...ctx, title: row.title, planApprovedByActor: row.approved, gate };
      }),
    ),
  );
  return waitingForYou(
    actor,
    candidates.filter((c): c is WaitingCandidate => c !== null),
  );
}

interface GatesFacts {
  migrations: Map<number, MigrationRecord>;
  facts: Map<number, GateFacts>;
}

async function gateFactsOf(state: Pool, ids: number[]): Promise<GatesFacts> {
  const store = new StateStore(state);
  const [migrations, backfills, parities, runs] = await Promise.all([
    store.migrationsOf(ids),
    store.backfillsOf(ids),
    store.latestParityOf(ids),
    store.phaseRunsOf(ids),
  ]);
  return {
    migrations,
    facts: new Map(ids.map((id) => [id, { backfill: backfills.get(id) ?? null, parity: parities.get(id) ?? null, runs: runs.get(id) ?? [] }])),
  };
}

async function gateNow(state: Pool, target: Pool, known: GatesFacts, migrationId: number, now: Date): Promise<GateNow> {
  try {
    const store = new StateStore(state);
    const migration = known.migrations.get(migrationId) ?? (await store.getMigration(migrationId));
    const client = await target.connect();
    try {
      const { decision } = await contractGate(
        { store, target: client, ...gatePolicy(parseEnv(process.env)) },
        migration,
        now,
        undefined,
        known.facts.get(migrationId),
      );
      return { read: true, conditions: decision.conditions };
    } finally {
      client.release();
    }
  } catch (error) {
    // The home page still says a contract waits; only the gate's answer is missing.
    return { read: false, error: redactSecrets((error as Error).message) };
  }
}
