import type { ActionState } from './action-state';

export interface SignInState extends ActionState {
  /** Given back so the form keeps it after a failed attempt (React resets a form after its action). */
  email?: string;
}
