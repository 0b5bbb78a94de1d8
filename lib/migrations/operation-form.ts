import { z } from 'zod';
import type { OperationSpec } from './types';

const name = z.string().trim().min(1, 'required').max(63, 'at most 63 characters');
const expression = z.string().trim().min(1, 'required').max(4000);
const optionalText = z
  .string()
  .trim()
  .max(4000)
  .optional()
  .transform((v) => (v ? v : undefined));

const base = { schema: name, table: name, column: name };

/** The browser form's fields for each operation, checked before anything touches the database. */
export const operationFormSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rename-column'), ...base, newName: name }),
  z.object({ kind: z.literal('change-type'), ...base, newColumn: name, newType: name, forward: expression, reverse: expression }),
  z.object({ kind: z.literal('set-not-null'), ...base, fill: optionalText }),
  z.object({
    kind: z.literal('add-column'),
    ...base,
    type: name,
    notNull: z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean()),
    default: optionalText,
    backfill: optionalText,
  }),
  z.object({ kind: z.literal('drop-column'), ...base }),
]);

export type FormCheck = { ok: true; spec: OperationSpec } | { ok: false; fieldErrors: Record<string, string> };

/** Form fields → an operation, or the first problem of each field (shown beside it). */
export function operationFromForm(fields: Record<string, unknown>): FormCheck {
  const parsed = operationFormSchema.safeParse(fields);
  if (parsed.success) return { ok: true, spec: parsed.data as OperationSpec };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? 'kind');
    fieldErrors[key] ??= issue.message;
  }
  return { ok: false, fieldErrors };
}
