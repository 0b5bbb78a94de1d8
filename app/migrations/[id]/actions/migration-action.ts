import 'server-only';
import { z } from 'zod';
import type { ActionState } from '@/lib/actions/action-state';
import { anyRole, guardedAction, type PersonRule } from '@/lib/auth/guarded-action';
import type { Actor } from '@/lib/lifecycle/permissions';
import type { LifecycleAction } from '@/lib/lifecycle/may-act';
import { permissionContext } from '@/lib/data/permission-context';
import { statePool } from '@/lib/db/pools';
import { RUN_PHASES } from '@/lib/lifecycle/migration-states';
import { migrationIdField } from '@/lib/migrations/parse-migration-id';

/** The fields of every form on the migration page; each action reads the ones it needs. */
export const migrationActionInput = z.object({
  migrationId: migrationIdField,
  phase: z.enum(RUN_PHASES).optional(),
  body: z.string().max(5000).optional(),
  confirm: z.string().max(300).optional(),
  expandAt: z.string().max(40).optional(),
  deployAt: z.string().max(40).optional(),
  contractAt: z.string().max(40).optional(),
  services: z.string().max(5000).optional(),
  minutes: z.string().max(20).optional(),
  required: z.enum(['yes', 'no']).optional(),
});

export type MigrationActionInput = z.infer<typeof migrationActionInput>;

/**
 * An action on one migration: who may attempt it at all (before anything is parsed), then its
 * input, then, for a lifecycle action, what the lifecycle says this person may do to this
 * migration now; the action's finer rules are checked again by lib/data and the database inside
 * its transaction. It answers with what happened, and the migration's page is revalidated.
 */
export function migrationAction(
  who: PersonRule,
  lifecycle: ((input: MigrationActionInput) => LifecycleAction | null) | null,
  run: (actor: Actor, input: MigrationActionInput, data: FormData) => Promise<string>,
) {
  return guardedAction(
    {
      who,
      input: migrationActionInput,
      invalid: 'invalid request',
      lifecycle: (i) => {
        const action = lifecycle?.(i);
        return action ? { action, migration: () => permissionContext(statePool(), i.migrationId) } : null;
      },
      revalidate: (i) => `/migrations/${i.migrationId}`,
    },
    async (actor, i, data): Promise<ActionState> => ({ ok: await run(actor, i, data) }),
  );
}

export const AUTHOR_OR_ONCALL = anyRole(['author', 'oncall'], 'only authors and on-call engineers do this');
export const AUTHOR_OR_ADMIN = anyRole(['author', 'admin'], 'only the author or an admin does this');
