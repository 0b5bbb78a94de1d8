import type { ActionState } from './action-state';

/** The new-migration form's answer: the fields to fix, or the plan previewed (creating redirects instead). */
export interface NewMigrationState extends ActionState {
  fieldErrors?: Record<string, string>;
  preview?: { title: string; phases: { phase: string; sql: string }[]; notes: string[]; lint: string[] };
}
