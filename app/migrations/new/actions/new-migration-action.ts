'use server';
import type { NewMigrationState } from '@/lib/actions/new-migration-state';
import { formFields, guardedAction } from '@/lib/auth/guarded-action';
import { permission } from '@/lib/lifecycle/permissions';
import { operationFromForm } from '@/lib/migrations/operation-form';
import { createOrPreview } from './create-or-preview';

/** Preview (plan against the live schema, nothing stored) or create (registered, the person is its author). */
export const newMigrationAction = guardedAction(
  { who: (actor) => permission(actor, { kind: 'migration.preview' }), input: formFields },
  async (actor, fields): Promise<NewMigrationState> => {
    const create = fields.intent === 'create';
    // Previewing is for authors and admins; registering a migration is for authors only.
    const allowed = create ? permission(actor, { kind: 'migration.create' }) : { ok: true as const };
    if (!allowed.ok) return { error: allowed.reason };
    const checked = operationFromForm(fields);
    if (!checked.ok) return { fieldErrors: checked.fieldErrors };
    return createOrPreview(actor, checked.spec, create);
  },
);
