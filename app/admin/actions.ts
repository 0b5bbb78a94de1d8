'use server';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { currentActor } from '@/lib/auth/current-actor';
import { statePool } from '@/lib/db/pools';
import { createTokenAs, revokeTokenAs } from '@/lib/data/manage-tokens';
import { ForbiddenError } from '@/lib/data/with-actor';

export interface TokenState {
  error?: string;
  /** The new token, shown once: it is not stored anywhere readable. */
  token?: string;
  ok?: string;
}

export async function createTokenAction(_prev: TokenState, data: FormData): Promise<TokenState> {
  const actor = await currentActor();
  if (!actor) return { error: 'your session has ended: sign in again' };
  // Empty optional fields mean "not given".
  const fields = Object.fromEntries([...data].filter(([k, v]) => !k.startsWith('$') && v !== ''));
  try {
    const { token, record } = await createTokenAs(statePool(), actor, fields);
    revalidatePath('/admin');
    return { token, ok: `created token ${record.id}: copy it now, it is shown only once` };
  } catch (error) {
    if (error instanceof ForbiddenError) return { error: error.message };
    if (error instanceof z.ZodError) return { error: error.issues[0]?.message ?? 'invalid input' };
    if ((error as { code?: string }).code === '23503') return { error: 'that migration does not exist' };
    throw error;
  }
}

export async function revokeTokenAction(_prev: TokenState, data: FormData): Promise<TokenState> {
  const actor = await currentActor();
  if (!actor) return { error: 'your session has ended: sign in again' };
  try {
    const ok = await revokeTokenAs(statePool(), actor, String(data.get('id') ?? ''));
    revalidatePath('/admin');
    return ok ? { ok: 'revoked' } : { error: 'no live token with that id' };
  } catch (error) {
    if (error instanceof ForbiddenError) return { error: error.message };
    throw error;
  }
}
