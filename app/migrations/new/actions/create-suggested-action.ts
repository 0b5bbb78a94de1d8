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
});

/** One click from a breaking statement to its safe plan. */
export const createSuggestedAction = guardedAction(
  { who: (actor) => permission(actor, { kind: 'migration.create' }), input, invalid: NOT_JSON },
  async (actor, { spec }): Promise<NewMigrationState> => {
    const checked = operationFromForm(spec);
    if (!checked.ok)
      return {
        error: `the suggestion needs more detail: ${Object.entries(checked.fieldErrors)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')}`,
      };
    return createOrPreview(actor, checked.spec, true);
  },
);
