/**
 * What a server action answers a form: what happened, or why not. Every action's state extends
 * it, and the wrapper (lib/auth/guarded-action.ts) fills `error` when it refuses, and `failure`
 * when the refusal has more to say than a line. The types live here, not beside the actions in
 * app/, so components never import from app/.
 */
export interface ActionState {
  ok?: string;
  error?: string;
  /** Beside `error`, for a failure worth more than one line (a phase's step that failed on the target). */
  failure?: FailureDetail;
}

/**
 * A failure as a form shows it: what failed, the SQL it ran, what the database said and what to
 * do. A product error that has one carries it as `detail` (the executor's StepFailedError does);
 * plain strings, since it crosses to the browser as the action's answer.
 */
export interface FailureDetail {
  title: string;
  sql?: string;
  cause: string;
  advice?: string;
}

/** A server action as a form calls it through React's useActionState. */
export type FormAction<S extends ActionState = ActionState> = (prev: S, data: FormData) => Promise<S>;
