'use server';
import { guardedAction } from '@/lib/auth/guarded-action';
import { permission } from '@/lib/lifecycle/permissions';
import { parseEnv } from '@/lib/config/env';
import { runReplay, type ReplayResult } from '@/lib/demo/replay';

export interface ReplayState {
  error?: string;
  result?: ReplayResult;
}

/** Runs the replay on the embedded demo target (it creates and drops two scratch tables there, and runs a migration). */
export const replayAction = guardedAction(
  (actor) => permission(actor, { kind: 'replay.run' }),
  async (): Promise<ReplayState> => {
  if (process.env.EC_TARGET_SOURCE !== 'embedded-demo') return { error: 'the replay runs on the embedded demo target only; elsewhere use `expand-contract replay` against a scratch database' };
  const env = parseEnv(process.env);
  return { result: await runReplay({ stateUrl: env.DATABASE_URL!, targetUrl: env.TARGET_DATABASE_URL!, rows: 10_000, drainSeconds: 3 }) };
},
);
