import type { ActionState } from './action-state';

export interface WebhookState extends ActionState {
  /** The new webhook's signing key, shown once: the page never shows it again. */
  secret?: string;
}
