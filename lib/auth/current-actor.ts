import 'server-only';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { statePool } from '../db/pools';
import type { Actor } from './roles';
import { actorFromCookie, SESSION_COOKIE } from './sessions';

/** The person behind this request's session cookie, checked against the state database. */
export async function currentActor(): Promise<Actor | null> {
  const cookie = (await cookies()).get(SESSION_COOKIE)?.value;
  return actorFromCookie(statePool(), cookie);
}

/** Pages call this first: no session, no page (the proxy's redirect is only a shortcut, not the check). */
export async function requireActor(): Promise<Actor> {
  const actor = await currentActor();
  if (actor) return actor;
  const path = (await headers()).get('x-ec-path') ?? '/';
  redirect(`/sign-in?next=${encodeURIComponent(path)}`);
}
