import type { OperationSpec } from '../migrations/types';
import type { ActionState } from './action-state';

/** Pasted SQL, linted: every finding, with the safe plan a breaking statement converts to. */
export interface LintState extends ActionState {
  findings?: {
    source: string;
    rule: string;
    severity: string;
    message: string;
    help: string | null;
    line: number;
    /** The statement the finding is about, as pasted. */
    statement?: string;
    suggestion?: OperationSpec;
  }[];
  statements?: number;
  /** Whether tables and columns were checked against the target's live schema, in a sentence. */
  schema?: string;
}
