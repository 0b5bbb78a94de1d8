'use server';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { anyRole, guardedAction } from '@/lib/auth/guarded-action';
import { statePool } from '@/lib/db/pools';
import { createTokenAs, revokeTokenAs } from '@/lib/data/manage-tokens';
import { ForbiddenError } from '@/lib/data/with-actor';
import { SQL_STATE, sqlState } from '@/lib/db/sql-state';

export interface TokenState {
  error?: string;
  /** The new token, shown once: it is not stored anywhere readable. */
  token?: string;
  ok?: string;
}

const ADMINS = anyRole(['admin'], 'only admins manage people, tokens and the rotation');

export const createTokenAction = guardedAction(ADMINS, async (actor, _prev: TokenState, data: FormData): Promise<TokenState> => {
  // Empty optional fields mean "not given".
  const fields = Object.fromEntries([...data].filter(([k, v]) => !k.startsWith('$') && v !== ''));
  try {
    const { token, record } = await createTokenAs(statePool(), actor, fields);
    revalidatePath('/admin');
    return { token, ok: `created token ${record.id}: copy it now, it is shown only once` };
  } catch (error) {
    if (error instanceof ForbiddenError) return { error: error.message };
    if (error instanceof z.ZodError) return { error: error.issues[0]?.message ?? 'invalid input' };
    if (sqlState(error) === SQL_STATE.foreignKeyViolation) return { error: 'that migration does not exist' };
    throw error;
  }
});

export const revokeTokenAction = guardedAction(ADMINS, async (actor, _prev: TokenState, data: FormData): Promise<TokenState> => {
  try {
    const ok = await revokeTokenAs(statePool(), actor, String(data.get('id') ?? ''));
    revalidatePath('/admin');
    return ok ? { ok: 'revoked' } : { error: 'no live token with that id' };
  } catch (error) {
    if (error instanceof ForbiddenError) return { error: error.message };
    throw error;
  }
});
