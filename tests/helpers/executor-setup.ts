import path from 'node:path';
import pg from 'pg';
import { StateStore } from '../../lib/state/state-store';
import { targetIdentity } from '../../lib/db/target-identity';
import { applyStateSchema, readStateSchema } from '../../lib/db/state-schema';
import { describeUrl } from '../../lib/db/connection-url';
import { planChange } from '../../lib/planning/plan-change';
import type { OperationSpec, PlanOptions } from '../../lib/migrations/types';
import { DEFAULT_PLAN_OPTIONS } from '../../lib/migrations/types';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createSupabaseDatabase, type SupabaseDatabase } from './supabase-database';

export interface ExecutorWorld {
  stateDb: TestDatabase;
  targetDb: TestDatabase | SupabaseDatabase;
  pool: pg.Pool;
  store: StateStore;
  target: pg.Client;
  register(spec: OperationSpec, options?: Partial<PlanOptions>): Promise<number>;
  close(): Promise<void>;
}

export interface ExecutorWorldOptions {
  /**
   * 'plain' (the default): the target belongs to the embedded default's plain target login.
   * 'supabase': a Supabase-shaped target (supabase-database.ts), reached as its non-superuser
   * `postgres`, the role a team on Supabase gives the product and the Supabase CLI alike.
   */
  target?: 'plain' | 'supabase';
  /** Apply only the state files older than this version (the test applies the rest), e.g. to stand where an upgrade starts. */
  stateFilesBefore?: string;
}

export const STATE_FILES = path.join(import.meta.dirname, '..', '..', 'supabase', 'migrations');

/** A migrated state database and a target database, as the executor sees them. */
export async function executorWorld(prefix: string, options: ExecutorWorldOptions = {}): Promise<ExecutorWorld> {
  const stateDb = await createTestDatabase(`${prefix}_state`, 'state');
  const targetDb = await (options.target === 'supabase' ? createSupabaseDatabase(`${prefix}_target`) : createTestDatabase(`${prefix}_target`, 'target')).catch(
    async (error: unknown) => {
      // A server that cannot be Supabase-shaped refuses here: leave nothing behind on it.
      await stateDb.drop();
      throw error;
    },
  );
  const migrator = await stateDb.client();
  const files = await readStateSchema(STATE_FILES);
  await applyStateSchema(
    migrator,
    files.filter((f) => options.stateFilesBefore === undefined || f.version < options.stateFilesBefore),
  );
  const pool = new pg.Pool({ connectionString: stateDb.url, max: 6 });
  const store = new StateStore(pool);
  const target = await targetDb.client();
  return {
    stateDb,
    targetDb,
    pool,
    store,
    target,
    async register(spec, options = {}) {
      const plan = await planChange(target, spec, { ...DEFAULT_PLAN_OPTIONS, ...options });
      return (await store.createMigration(plan, describeUrl(targetDb.url), await targetIdentity(target))).id;
    },
    async close() {
      await pool.end();
      await stateDb.drop();
      await targetDb.drop();
    },
  };
}
