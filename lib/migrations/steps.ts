import { slugify } from './names';
import type { LockLevel, Phase, Step, Timeouts } from './types';

export interface StepDraft {
  slug: string;
  description: string;
  sql: string;
  lock: LockLevel;
  timeouts: Timeouts | null;
  transactional?: boolean;
  kind?: Step['kind'];
  fileOnly?: true;
}

/** Numbers a phase's steps so ids are stable and sort in run order. */
export function phaseSteps(planId: string, phase: Phase, drafts: StepDraft[]): Step[] {
  return drafts.map((d, i) => ({
    id: `${planId}/${phase}/${String(i + 1).padStart(2, '0')}-${slugify(d.slug)}`,
    phase,
    description: d.description,
    sql: d.sql,
    transactional: d.transactional ?? true,
    lock: d.lock,
    timeouts: d.timeouts,
    kind: d.kind ?? 'sql',
    ...(d.fileOnly ? { fileOnly: true as const } : {}),
  }));
}
