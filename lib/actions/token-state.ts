import type { ActionState } from './action-state';

export interface TokenState extends ActionState {
  /** The new token, shown once: it is not stored anywhere readable. */
  token?: string;
}
