import type { ActionState } from './action-state';

export interface PeopleState extends ActionState {
  /** A new account's generated password, shown once (null: Supabase Auth keeps it). */
  password?: string | null;
  /** The account the answer is about. */
  email?: string;
}
