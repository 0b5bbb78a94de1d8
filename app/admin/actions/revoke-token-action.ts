'use server';
import { z } from 'zod';
import type { TokenState } from '@/lib/actions/token-state';
import { guardedAction } from '@/lib/auth/guarded-action';
import { revokeTokenAs } from '@/lib/data/manage-tokens';
import { statePool } from '@/lib/db/pools';
import { ADMINS } from './admins';

// Any text: an id that is not a token's is answered like a revoked one.
const input = z.object({ id: z.string().prefault('') });

export const revokeTokenAction = guardedAction({ who: ADMINS, input, revalidate: () => '/admin' }, async (actor, { id }): Promise<TokenState> =>
  (await revokeTokenAs(statePool(), actor, id)) ? { ok: 'revoked' } : { error: 'no live token with that id' },
);
