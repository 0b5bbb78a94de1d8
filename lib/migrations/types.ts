import type { BrownoutSpec } from './brownout';

/** Postgres table-level lock modes, weakest first: what a step takes while it runs. */
export type LockLevel = 'NONE' | 'ACCESS SHARE' | 'ROW EXCLUSIVE' | 'SHARE UPDATE EXCLUSIVE' | 'SHARE' | 'SHARE ROW EXCLUSIVE' | 'ACCESS EXCLUSIVE';

/**
 * preflight: read-only checks before anything changes. expand: additive DDL, sync.
 * backfill: batched data copy. verify: parity. contract: the destructive step.
 * rollback: undoes expand (only before contract). restore: brings the old column back
 * from the contract's archive.
 */
export type Phase = 'preflight' | 'expand' | 'backfill' | 'verify' | 'contract' | 'rollback' | 'restore';

export interface Timeouts {
  /** Postgres interval text, e.g. "1s". */
  lockTimeout: string;
  statementTimeout: string;
}

export interface Step {
  /** Stable across re-planning the same intent: `<operation id>/<phase>/<nn>-<slug>`. */
  id: string;
  phase: Phase;
  description: string;
  /** One statement (several only for transactional steps). Never contains timeout settings: see `timeouts`. */
  sql: string;
  /** false: must run outside a transaction block (CREATE INDEX CONCURRENTLY, batch loops). */
  transactional: boolean;
  lock: LockLevel;
  /** DDL steps run with these as SET LOCAL (or session SET when not transactional). */
  timeouts: Timeouts | null;
  /**
   * sql: run as is. check: a read-only query returning one row `{ count }` that must be 0.
   * backfill: the batched copy; `sql` is a server-side loop for files, the executor drives
   * the plan's BackfillSpec instead so it can report progress and resume.
   */
  kind: 'sql' | 'check' | 'backfill';
  /**
   * A check only a migration file needs: applied with the Supabase CLI, it must refuse for itself.
   * The executor measures the same in its own order (parity, then the gate, whose reasons say more).
   */
  fileOnly?: true;
}

export interface QualifiedName {
  schema: string;
  name: string;
}

/** How to copy data for one batch of primary keys; the executor drives the loop. */
export interface BackfillSpec {
  table: QualifiedName;
  /** Primary key columns, in key order. */
  key: string[];
  /** Their types (format_type text), for casting a saved cursor back. */
  keyTypes: string[];
  /**
   * A batch's extent: $1..$k are the last key of the previous batch (omitted in `firstEdgeSql`),
   * $k+1 the batch size. One row, the batch's last key (`last_key`, a text[] in key order) and
   * the keys it covers (`scanned`), or no row when nothing is left (the backfill is complete).
   */
  edgeSql: string;
  firstEdgeSql: string;
  /**
   * The batch's UPDATE: $1..$k the previous batch's last key (omitted in `firstUpdateSql`), then
   * the k values of this batch's last key. Its row count is the rows it changed.
   */
  updateSql: string;
  firstUpdateSql: string;
  /**
   * The batch as one statement, in plans made before the two above (they are kept in the state
   * database and may be resumed): $1..$k the previous last key, $k+1 the size; returns
   * scanned, changed and last_key (NULL when done).
   */
  batchSql?: string;
  firstBatchSql?: string;
  /** Counts rows still out of sync; 0 means the backfill is complete. */
  remainingSql: string;
}

export interface ParitySpec {
  /** Counts rows where the new column differs from what the old one maps to. */
  countSql: string;
  /** The same condition alone, over the row alias `t`, for checks done range by range. */
  predicate: string;
  /**
   * Only for a change that claims to be reversible (a type change with its reverse mapping):
   * the rows whose old value would not survive the contract, over the row alias `t`. The
   * parity predicate accepts new = forward(old), which a lossy forward mapping satisfies
   * too ('PENDING' and 'pending' both give 1), so this is checked on every row as well.
   */
  roundTrip?: RoundTripSpec;
}

export interface RoundTripSpec {
  /** True when the old value cannot be read back from the new column: old IS DISTINCT FROM reverse(new). */
  predicate: string;
  /** The old value as text, for showing samples. */
  oldText: string;
  /** What it would become: the value read back from the new column, as text. */
  becomesText: string;
}

export type OperationSpec =
  | { kind: 'rename-column'; schema: string; table: string; column: string; newName: string }
  | {
      kind: 'change-type';
      schema: string;
      table: string;
      column: string;
      /** The new column's name: the old name cannot be reused while old code still reads it. */
      newColumn: string;
      newType: string;
      /** SQL expression over {{old}} giving the new value, e.g. CASE {{old}} WHEN 'pending' THEN 1 … END. */
      forward: string;
      /** SQL expression over {{new}} giving the old value, so old code keeps working. */
      reverse: string;
    }
  | {
      kind: 'set-not-null';
      schema: string;
      table: string;
      column: string;
      /** Value for NULLs (existing ones, and those old code still writes); may use {{row}}."col". Required when NULLs exist. */
      fill?: string;
    }
  | {
      kind: 'add-column';
      schema: string;
      table: string;
      column: string;
      type: string;
      notNull: boolean;
      /** A constant default (no table rewrite on PG 11+). */
      default?: string;
      /** Expression for existing rows when no constant default fits; may use {{row}}."col". */
      backfill?: string;
    }
  | { kind: 'drop-column'; schema: string; table: string; column: string }
  | {
      kind: 'raw-sql';
      sql: string;
      /** a short name for files */
      name: string;
      /** What the linter found; raw SQL is planned only when it was linted and nothing blocks. */
      lint?: LintNote[];
    };

/** One thing the linter found in raw SQL, as the plan keeps it. */
export interface LintNote {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
  line?: number;
}

export interface PlanOptions {
  ddlTimeouts: Timeouts;
  /** CREATE INDEX CONCURRENTLY and VALIDATE CONSTRAINT scan the table: they get longer. */
  longTimeouts: Timeouts;
  batchSize: number;
  /** How long contract archives are kept before they may be dropped. */
  archiveRetentionDays: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  ddlTimeouts: { lockTimeout: '1s', statementTimeout: '5s' },
  longTimeouts: { lockTimeout: '1s', statementTimeout: '1h' },
  batchSize: 1000,
  archiveRetentionDays: 30,
};

export interface Plan {
  /** Deterministic from the intent, e.g. "rename-column.public.leads.user_email.contact_email". */
  id: string;
  /** Short slug for file names, e.g. "rename_leads_user_email_to_contact_email". */
  slug: string;
  title: string;
  operation: OperationSpec;
  steps: Step[];
  backfill: BackfillSpec | null;
  /** Rows in the first backfill batch; the executor adapts it to the target batch duration. */
  batchSize: number;
  parity: ParitySpec | null;
  /** Things the reviewer should know that do not block the plan. */
  notes: string[];
  /**
   * How to rehearse the contract's drop reversibly (see brownout.ts); null when the contract drops
   * no column old code uses. Absent in plans stored before brownouts existed.
   */
  brownout?: BrownoutSpec | null;
}
