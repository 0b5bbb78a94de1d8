export interface RuleDescription {
  /** What the rule finds, in one line. */
  summary: string;
  /** What to do instead, for any finding of the rule (a finding's own help names its columns). */
  help: string;
}

/**
 * The rules of our own pass. Reports that describe their rules (SARIF) read this, and `--exclude`
 * tells our rule names from Squawk's with it: Squawk refuses a name it does not know, so ours must
 * never reach it.
 */
export const EXPAND_CONTRACT_RULES: Readonly<Record<string, RuleDescription>> = {
  'syntax-error': {
    summary: 'SQL that PostgreSQL would reject',
    help: 'Fix the SQL so that PostgreSQL can parse it. Nothing else in the file is judged until it parses.',
  },
  'breaking-rename-column': {
    summary: 'RENAME COLUMN breaks every running query that still uses the old name',
    help: 'Add the new column beside the old one, keep both in sync, backfill, move the code, and drop the old column only when nothing reads it: `expand-contract plan rename` plans exactly that.',
  },
  'breaking-rename-reuses-name': {
    summary: 'A rename into a name dropped or renamed away earlier: old code reads different data under it',
    help: 'Keep the new name, or plan the second rename as its own expand-contract once the first change is contracted.',
  },
  'breaking-drop-column': {
    summary: 'DROP COLUMN breaks running code that still reads or writes the column',
    help: 'Deploy code that no longer uses the column first, then drop it once nothing has read it for a while: `expand-contract plan drop-column` waits for that evidence and keeps the data for a restore.',
  },
  'breaking-change-column-type': {
    summary: 'ALTER COLUMN … TYPE locks the table, often rewrites it, and breaks code using the old type',
    help: 'Add a column of the new type beside the old one, sync both ways with mappings you review, backfill, move the code, then drop the old column: `expand-contract plan change-type`.',
  },
  'breaking-set-not-null': {
    summary: 'SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock and fails writes that leave the column empty',
    help: 'Fill the NULLs, add CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL: `expand-contract plan set-not-null`.',
  },
  'breaking-add-required-column': {
    summary: 'ADD COLUMN … NOT NULL without a DEFAULT fails on a table with rows and breaks inserts from old code',
    help: 'Give it a constant DEFAULT (no table rewrite on Postgres 11+), or add it nullable, backfill, then set NOT NULL: `expand-contract plan add-column`.',
  },
  'unknown-table': {
    summary: 'The statement names a table the target database does not have: it would fail',
    help: 'Check the name and schema against the target (TARGET_DATABASE_URL, schemas in EC_TARGET_SCHEMAS).',
  },
  'unknown-column': {
    summary: 'The statement names a column the table does not have on the target: it would fail',
    help: "Check the column's name against the table on the target (TARGET_DATABASE_URL).",
  },
  'column-already-exists': {
    summary: 'The statement adds or renames into a column the table already has on the target: it would fail',
    help: 'Pick another name, or use ADD COLUMN IF NOT EXISTS when the column is meant to be there already.',
  },
};

export const isExpandContractRule = (rule: string): boolean => Object.hasOwn(EXPAND_CONTRACT_RULES, rule);
