import type { FormAction } from '@/lib/actions/action-state';

/** The server actions of the migration page, handed down by the page: components never import from app/. */
export interface MigrationActions {
  approvePlan: FormAction;
  approveContract: FormAction;
  comment: FormAction;
  markDeployed: FormAction;
  unmarkDeployed: FormAction;
  pauseBackfill: FormAction;
  runPhase: FormAction;
  setServices: FormAction;
  updateSchedule: FormAction;
  cancel: FormAction;
}
