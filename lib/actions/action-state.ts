/**
 * What a server action answers a form: what happened, or why not. Every action's state extends
 * it, and the wrapper (lib/auth/guarded-action.ts) fills `error` when it refuses. The types live
 * here, not beside the actions in app/, so components never import from app/.
 */
export interface ActionState {
  ok?: string;
  error?: string;
}

/** A server action as a form calls it through React's useActionState. */
export type FormAction<S extends ActionState = ActionState> = (prev: S, data: FormData) => Promise<S>;
