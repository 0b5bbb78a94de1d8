'use server';
import { parseEnv } from '@/lib/config/env';
import { requestBrownout } from '@/lib/data/request-brownout';
import { ForbiddenError } from '@/lib/data/with-actor';
import { statePool } from '@/lib/db/pools';
import { enqueueBrownout, openJobQueue } from '@/lib/executor/job-queue';
import { DEFAULT_BROWNOUT_MINUTES } from '@/lib/lifecycle/brownout-rules';
import { AUTHOR_OR_ONCALL, migrationAction } from './migration-action';

export const startBrownoutAction = migrationAction(
  AUTHOR_OR_ONCALL,
  () => 'brownout.start',
  async (actor, i) => {
    const minutes = i.minutes === undefined || i.minutes.trim() === '' ? DEFAULT_BROWNOUT_MINUTES : Number(i.minutes);
    if (!Number.isFinite(minutes)) throw new ForbiddenError('minutes must be a number, e.g. 5 or 0.5');
    const env = parseEnv(process.env);
    const { seconds } = await requestBrownout(
      {
        pool: statePool(),
        enqueue: async (brownoutId) => {
          const boss = await openJobQueue(env.DATABASE_URL!);
          try {
            return await enqueueBrownout(boss, brownoutId);
          } finally {
            await boss.stop({ graceful: false });
          }
        },
      },
      actor,
      i.migrationId,
      minutes,
    );
    return `brownout queued for ${seconds >= 60 ? `${+(seconds / 60).toFixed(1)} min` : `${seconds} s`}: the old column goes out of reach as soon as the worker picks it up`;
  },
);
