import { describeSeconds } from '../metrics/describe-seconds';
import type { LifecycleAction } from './may-act';
import { FINISHED_STATES, stateWord, type MigrationState } from './migration-states';

/** What the page knows about a migration, for the one line that says what it waits for. */
export interface NextStepFacts {
  state: MigrationState;
  now: Date;
  /** The author's email; null when created from the command line (no approvals needed, run from there). */
  author: string | null;
  onCall: string | null;
  planApprovals: number;
  planApprovalsRequired: number;
  deployedAt: Date | null;
  backfillRunning: boolean;
  /** A phase waits in the job queue, or runs there (the worker takes it next). */
  jobPending: boolean;
  /** The contract gate's conditions as evaluated now, in the gate's order. */
  gate: { name: string; met: boolean; detail: string }[];
  /** When the buffer after the deploy mark ends (null: no deploy marked). */
  bufferEndsAt: Date | null;
  /** The phase that ended the migration (for a finished one): when, and who ran it. */
  ended: { phase: string; at: Date; by: string } | null;
}

/** The line, and the action that answers it (the one button that stands out), if a person's click does. */
export interface NextStep {
  text: string;
  action: LifecycleAction | null;
}

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const onCall = (f: NextStepFacts) => (f.onCall ? `the person on call (${f.onCall})` : 'the person on call (nobody is on call now)');
const byAuthor = (f: NextStepFacts, what: string) =>
  f.author ? `waiting for ${what} by the author (${f.author})` : `waiting for ${what}, from the command line`;

/**
 * What the migration waits for and on whom, from its state and the gate's evidence: the first
 * unmet step in the order the lifecycle takes them. Pure; fed by the page's data.
 */
export function nextStep(f: NextStepFacts): NextStep {
  if (FINISHED_STATES.includes(f.state)) {
    const what = stateWord(f.state);
    return { text: f.ended ? `finished: ${what} ${utc(f.ended.at)} by ${f.ended.by}` : `finished: ${what}`, action: null };
  }
  if (f.backfillRunning) return { text: 'the backfill is running', action: null };
  if (f.jobPending) return { text: 'a phase waits in the job queue: the worker runs it next', action: null };
  switch (f.state) {
    case 'contracting':
      return { text: `the contract began and did not finish: waiting for ${onCall(f)} to finish it, or to restore`, action: 'phase.contract' };
    case 'planned':
      if (f.author && f.planApprovals < f.planApprovalsRequired) {
        return {
          text: `waiting for plan approval by a reviewer (${f.planApprovalsRequired - f.planApprovals} of ${f.planApprovalsRequired} needed)`,
          action: 'plan.approve',
        };
      }
      return { text: byAuthor(f, 'expand'), action: 'phase.expand' };
    case 'expanded':
      return { text: byAuthor(f, 'the backfill'), action: 'phase.backfill' };
    default:
      return gateStep(f);
  }
}

/** Between backfill and contract: the gate's first unmet condition says who moves next. */
function gateStep(f: NextStepFacts): NextStep {
  const unmet = f.gate.find((c) => !c.met);
  if (!unmet) return { text: `the gate is open: waiting for the contract by ${onCall(f)}`, action: 'phase.contract' };
  switch (unmet.name) {
    case 'backfill':
      return { text: byAuthor(f, 'the backfill'), action: 'phase.backfill' };
    case 'parity':
    case 'round-trip':
      return { text: `${byAuthor(f, 'verify')}: ${unmet.detail}`, action: 'phase.verify' };
    case 'buffer':
      if (!f.deployedAt) return { text: `waiting for the deploy mark (the author or an on-call engineer)`, action: 'deploy.mark' };
      if (f.bufferEndsAt && f.bufferEndsAt > f.now) {
        return {
          text: `the gate opens in ${describeSeconds((f.bufferEndsAt.getTime() - f.now.getTime()) / 1000)} at the earliest (buffer after the deploy)`,
          action: null,
        };
      }
      return { text: `the gate is closed: ${unmet.detail}`, action: null };
    case 'approval':
      return { text: `waiting for on-call approval (${f.onCall ?? 'nobody is on call now'})`, action: 'contract.approve' };
    default:
      return { text: `the gate is closed: ${unmet.detail}`, action: null };
  }
}

/**
 * The last successful run of a phase: when it ended, and who ran it, in the audit's words where it
 * has them (the person who asked), else the run's own actor.
 */
export function lastRunOf(
  phase: string,
  runs: readonly { phase: string; status: string; actor: string; startedAt: Date; finishedAt: Date | null }[],
  audit: readonly { action: string; actor: string; detail: Record<string, unknown> }[],
): { phase: string; at: Date; by: string } | null {
  const run = runs.filter((r) => r.phase === phase && r.status === 'succeeded').at(-1);
  if (!run) return null;
  // The audit is newest first: its first matching entry is the latest run's.
  const asked = audit.find((e) => e.action === 'phase.succeeded' && e.detail.phase === phase);
  return { phase, at: run.finishedAt ?? run.startedAt, by: asked?.actor ?? run.actor };
}
