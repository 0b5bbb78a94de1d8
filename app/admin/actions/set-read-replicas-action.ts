'use server';
import { z } from 'zod';
import type { PeopleState } from '@/lib/actions/people-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { setReadReplicasAs } from '@/lib/data/set-read-replicas-as';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';

const input = z.object({ hosts: z.string().max(10_000) });

export const setReadReplicasAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, fields): Promise<PeopleState> => {
  const { hosts, droppedCredentials } = await setReadReplicasAs(statePool(), actor, fields.hosts);
  const named = hosts.length ? `${hosts.length} read replica(s) saved: ${hosts.join(', ')}.` : 'no read replicas: only the target is sampled.';
  return { ok: `${named}${droppedCredentials ? ' The user and password in the URL were not kept: the target’s login is used.' : ''}` };
});
