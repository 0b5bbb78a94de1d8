import type { ClientBase } from 'pg';
import { historyVersion } from '../db/history-version';
import { operationFor } from '../migrations/operations';
import { findTable, type SchemaSnapshot } from '../migrations/schema';
import { catalogShows, tableBeforeExpand } from '../migrations/table-before-expand';
import type { OperationSpec } from '../migrations/types';

export interface PushedExpand {
  /** Its version in the target's migration history. */
  version: string;
  /** The schema as it was before that expand: what the change is planned against. */
  snapshot: SchemaSnapshot;
}

/**
 * An expand already applied with `supabase db push` from the file `plan --supabase-dir` wrote:
 * the history records it under the plan's name and the catalog shows what it adds. Planned
 * against the schema after it, the change would be refused (its new column exists, its triggers
 * use the old one); planned against the schema before it, it is the plan that file came from,
 * and the expand is taken as done when it is run. Null when the history or the catalog disagree.
 */
export async function expandAlreadyPushed(target: ClientBase, spec: OperationSpec, snapshot: SchemaSnapshot): Promise<PushedExpand | null> {
  const op = operationFor(spec);
  const on = op.target(spec);
  const facts = op.catalogAfter(spec, 'expand');
  const table = on ? findTable(snapshot, on.schema, on.table) : undefined;
  if (!facts || !table || !catalogShows(facts, table)) return null;
  const version = await historyVersion(target, `${op.describe(spec).slug}_expand`);
  const before = version ? tableBeforeExpand(spec, table) : null;
  if (!version || !before) return null;
  return { version, snapshot: { ...snapshot, tables: snapshot.tables.map((t) => (t === table ? before : t)) } };
}

/** What the plan's notes say of it, so the review and the command line tell it the same way. */
export const pushedExpandNote = (version: string) =>
  `the expand is already applied: supabase db push recorded it as version ${version}, and the catalog shows it; this is the plan it came from, and running the expand marks it done without running anything`;

export const isPushedExpandNote = (note: string) => note.startsWith('the expand is already applied: supabase db push recorded it');
