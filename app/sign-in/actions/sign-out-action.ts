'use server';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { ActionState } from '@/lib/actions/action-state';
import { requestCookieJar, secureCookies, supabaseAuth } from '@/lib/auth/current-actor';
import { guardedAction } from '@/lib/auth/guarded-action';
import { SESSION_COOKIE, signOut } from '@/lib/auth/sessions';
import { signOutOfSupabase, supabaseAuthClient } from '@/lib/auth/supabase-auth';
import { statePool } from '@/lib/db/pools';

// Signing out is open to anyone: it is how a person drops a session, even one that has ended.
export const signOutAction = guardedAction({ who: 'anyone', input: z.object({}) }, async (): Promise<ActionState> => {
  const supabase = supabaseAuth();
  if (supabase) {
    const { revoked } = await signOutOfSupabase(statePool(), await supabaseAuthClient(supabase, await requestCookieJar(), await secureCookies()));
    if (!revoked) redirect('/sign-in?notice=not-revoked');
  } else {
    const jar = await cookies();
    await signOut(statePool(), jar.get(SESSION_COOKIE)?.value);
    jar.delete(SESSION_COOKIE);
  }
  redirect('/sign-in');
});
