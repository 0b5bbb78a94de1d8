'use server';
import { z } from 'zod';
import type { ReplayState } from '@/lib/actions/replay-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { permission } from '@/lib/lifecycle/permissions';
import { parseEnv } from '@/lib/config/env';
import { describeSqlStates } from '@/lib/demo/describe-sql-states';
import { runReplay } from '@/lib/demo/replay';

/** Runs the replay on the embedded demo target (it creates and drops two scratch tables there, and runs a migration). */
export const replayAction = guardedAction(
  { who: (actor) => permission(actor, { kind: 'replay.run' }), input: z.object({}) },
  async (): Promise<ReplayState> => {
    if (process.env.EC_TARGET_SOURCE !== 'embedded-demo')
      return { error: 'the replay runs on the embedded demo target only; elsewhere use `expand-contract replay` against a scratch database' };
    const env = parseEnv(process.env);
    const result = await runReplay({ stateUrl: env.DATABASE_URL!, targetUrl: env.TARGET_DATABASE_URL!, rows: 10_000, drainSeconds: 3 });
    return { result, sqlStates: { naive: describeSqlStates(result.naive.bySqlstate), expandContract: describeSqlStates(result.expandContract.bySqlstate) } };
  },
);
