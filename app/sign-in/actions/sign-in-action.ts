'use server';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { SignInState } from '@/lib/actions/sign-in-state';
import { requestCookieJar, secureCookies, supabaseAuth } from '@/lib/auth/current-actor';
import { guardedAction } from '@/lib/auth/guarded-action';
import { safeNext } from '@/lib/auth/safe-next';
import { SESSION_COOKIE, signIn } from '@/lib/auth/sessions';
import { signInWithSupabase, supabaseAuthClient } from '@/lib/auth/supabase-auth';
import { statePool } from '@/lib/db/pools';

const input = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1000), next: z.string().max(2000).optional() });

// Signing in is open to anyone: it is how a person gets a session.
export const signInAction = guardedAction(
  {
    who: 'anyone',
    input,
    invalid: 'enter your email and password',
    // A refused attempt keeps the email in the form.
    echo: (fields) => ({
      email: String(fields.email ?? '')
        .trim()
        .slice(0, 320),
    }),
  },
  async (_actor, { email, password, next }): Promise<SignInState> => {
    const supabase = supabaseAuth();
    const secure = await secureCookies();
    if (supabase) {
      // Supabase writes its own session cookies through the jar.
      await signInWithSupabase(statePool(), supabase, await supabaseAuthClient(supabase, await requestCookieJar(), secure), email, password);
    } else {
      const { cookie, expiresAt } = await signIn(statePool(), email, password);
      // httpOnly: scripts never see it; SameSite=Lax: other sites' forms and fetches do not carry it.
      (await cookies()).set(SESSION_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
    }
    redirect(safeNext(next));
  },
);
