import 'server-only';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { parseEnv, supabaseAuthConfig } from '../config/env';
import { statePool } from '../db/pools';
import { cookieSecure } from './cookie-secure';
import { safeNext } from './safe-next';
import type { Actor } from '../lifecycle/permissions';
import { actorFromCookie, SESSION_COOKIE } from './sessions';
import { actorFromSupabase, type CookieJar, supabaseAuthClient } from './supabase-auth';

/** Supabase Auth's settings when configured, else null (local accounts); read per request, never bundled. */
export const supabaseAuth = () => supabaseAuthConfig(parseEnv(process.env));

/** Whether this request's session cookies should carry Secure (EC_COOKIE_SECURE). */
export async function secureCookies(): Promise<boolean> {
  return cookieSecure(parseEnv(process.env).EC_COOKIE_SECURE, (await headers()).get('x-forwarded-proto'));
}

/**
 * This request's cookies for @supabase/ssr. Server components may not set cookies; the proxy
 * has already refreshed the session for this request, so a write there can be dropped.
 */
export async function requestCookieJar(): Promise<CookieJar> {
  const jar = await cookies();
  return {
    getAll: () => jar.getAll(),
    setAll: (list) => {
      try {
        for (const { name, value, options } of list) jar.set(name, value, options);
      } catch {
        // rendering a server component: read-only cookies
      }
    },
  };
}

/**
 * The person behind this request's session (local cookie or Supabase Auth), checked against the
 * state database. Once per request: the layout and the page ask the same question.
 */
export const currentActor = cache(async (): Promise<Actor | null> => {
  const supabase = supabaseAuth();
  if (supabase) return actorFromSupabase(statePool(), await supabaseAuthClient(supabase, await requestCookieJar(), await secureCookies()));
  const cookie = (await cookies()).get(SESSION_COOKIE)?.value;
  return actorFromCookie(statePool(), cookie);
});

/** Pages call this first: no session, no page (the proxy's redirect is only a shortcut, not the check). */
export async function requireActor(): Promise<Actor> {
  const actor = await currentActor();
  if (actor) return actor;
  const path = (await headers()).get('x-ec-path') ?? '/';
  redirect(`/sign-in?next=${encodeURIComponent(safeNext(path))}`);
}
