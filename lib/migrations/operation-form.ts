import { z } from 'zod';
import type { FormField } from './operation';
import { OPERATIONS } from './operations';
import type { OperationSpec } from './types';

const name = z.string().trim().min(1, 'required').max(63, 'at most 63 characters');
const expression = z.string().trim().min(1, 'required').max(4000);
const optionalText = z
  .string()
  .trim()
  .max(4000)
  .optional()
  .transform((v) => (v ? v : undefined));
const flag = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

const CHECKS: Record<FormField['value'], z.ZodType> = { name, expression, optional: optionalText, flag };

const base = { schema: name, table: name, column: name };

const formSchemas = OPERATIONS.flatMap((op) =>
  op.form ? [z.object({ kind: z.literal(op.kind), ...base, ...Object.fromEntries(op.form.fields.map((f) => [f.name, CHECKS[f.value]])) })] : [],
);

/** The browser form's fields for each operation (as each operation lists them), checked before anything touches the database. */
export const operationFormSchema = z.discriminatedUnion('kind', formSchemas as [(typeof formSchemas)[number], ...(typeof formSchemas)[number][]]);

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
