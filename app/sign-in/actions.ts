'use server';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { requestCookieJar, secureCookies, supabaseAuth } from '@/lib/auth/current-actor';
import { guardedAction } from '@/lib/auth/guarded-action';
import { safeNext } from '@/lib/auth/safe-next';
import { SESSION_COOKIE, signIn, signOut } from '@/lib/auth/sessions';
import { SignInError } from '@/lib/auth/sign-in-attempt';
import { AuthServiceError, signInWithSupabase, signOutOfSupabase, supabaseAuthClient } from '@/lib/auth/supabase-auth';
import { statePool } from '@/lib/db/pools';

const form = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1000), next: z.string().max(2000).optional() });

export interface SignInState {
  error?: string;
  /** Given back so the form keeps it after a failed attempt (React resets a form after its action). */
  email?: string;
}

// Signing in and out are open to anyone: they are how a person gets, or drops, a session.
export const signInAction = guardedAction('anyone', async (_actor, _prev: SignInState, data: FormData): Promise<SignInState> => {
  const parsed = form.safeParse({ email: data.get('email'), password: data.get('password'), next: data.get('next') ?? undefined });
  if (!parsed.success) return { error: 'enter your email and password', email: String(data.get('email') ?? '').slice(0, 320) };
  const supabase = supabaseAuth();
  const secure = await secureCookies();
  try {
    if (supabase) {
      // Supabase writes its own session cookies through the jar.
      await signInWithSupabase(statePool(), supabase, await supabaseAuthClient(supabase, await requestCookieJar(), secure), parsed.data.email, parsed.data.password);
    } else {
      const { cookie, expiresAt } = await signIn(statePool(), parsed.data.email, parsed.data.password);
      // httpOnly: scripts never see it; SameSite=Lax: other sites' forms and fetches do not carry it.
      (await cookies()).set(SESSION_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
    }
  } catch (error) {
    if (error instanceof SignInError || error instanceof AuthServiceError) return { error: error.message, email: parsed.data.email };
    throw error;
  }
  redirect(safeNext(parsed.data.next));
});

export const signOutAction = guardedAction('anyone', async (): Promise<void> => {
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
