import type { ReplayResult } from '../demo/replay';
import type { ActionState } from './action-state';

export interface ReplayState extends ActionState {
  result?: ReplayResult;
  /** Each side's errors by SQLSTATE, described on the server (the names live with the database code). */
  sqlStates?: { naive: string; expandContract: string };
}
