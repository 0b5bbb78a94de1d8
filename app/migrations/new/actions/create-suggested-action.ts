'use server';
import { z } from 'zod';
import type { NewMigrationState } from '@/lib/actions/new-migration-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { permission } from '@/lib/lifecycle/permissions';
import { operationFromForm } from '@/lib/migrations/operation-form';
import { createOrPreview } from './create-or-preview';

const NOT_JSON = 'the suggestion is not valid JSON';

const input = z.object({
  spec: z
    .string()
    .prefault('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        ctx.addIssue({ code: 'custom', message: NOT_JSON });
        return z.NEVER;
      }
    }),
  // Nothing is created unless asked for by name: a click on the suggestion previews.
  intent: z.enum(['preview', 'create']).prefault('preview'),
});

/**
 * From a breaking statement to its safe plan: previewed first exactly as the New migration form
 * previews (planned against the live schema, refused when sure to fail), created on a second,
 * explicit request, which plans it again.
 */
export const createSuggestedAction = guardedAction(
  { who: (actor) => permission(actor, { kind: 'migration.preview' }), input },
  async (actor, { spec, intent }): Promise<NewMigrationState> => {
    const create = intent === 'create';
    // Previewing is for authors and admins; registering a migration is for authors only.
    const allowed = create ? permission(actor, { kind: 'migration.create' }) : { ok: true as const };
    if (!allowed.ok) return { error: allowed.reason };
    const checked = operationFromForm(spec);
    if (!checked.ok)
      return {
        error: `the suggestion needs more detail: ${Object.entries(checked.fieldErrors)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')}`,
      };
    return createOrPreview(actor, checked.spec, create);
  },
);
