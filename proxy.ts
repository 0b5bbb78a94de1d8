import { NextResponse, type NextRequest } from 'next/server';
import { parseEnv, supabaseAuthConfig } from './lib/config/env';
import { cookieSecure } from './lib/auth/cookie-secure';
import { safeNext } from './lib/auth/safe-next';
import { SESSION_COOKIE } from './lib/auth/sessions';
import { signedInUser, supabaseAuthClient } from './lib/auth/supabase-auth';

/**
 * Sends a request without a session to the sign-in page before any rendering, and tells pages
 * their own path (for the way back). With Supabase Auth it also refreshes the session here,
 * the one place that may write cookies for every page, the sign-in page included (its header
 * asks who is signed in too). Only a shortcut for the rest: every page and action checks the
 * person against the database itself.
 */
export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const toSignIn = () => {
    const url = request.nextUrl.clone();
    url.pathname = '/sign-in';
    url.search = `?next=${encodeURIComponent(safeNext(pathname + search))}`;
    return NextResponse.redirect(url);
  };
  const onward = () => {
    const forwarded = new Headers(request.headers);
    forwarded.set('x-ec-path', pathname + search);
    return NextResponse.next({ request: { headers: forwarded } });
  };

  const signInPage = pathname === '/sign-in' || pathname.startsWith('/sign-in/');
  const env = parseEnv(process.env);
  const supabase = supabaseAuthConfig(env);
  if (!supabase) return signInPage || request.cookies.has(SESSION_COOKIE) ? onward() : toSignIn();

  // signedInUser refreshes an access token about to expire; the new cookies go back to the browser
  // (response cookies) and to the page rendering this request (Next passes the response's cookies
  // on; setting them on the request too, as Supabase's guide does, keeps that explicit).
  const written: { name: string; value: string; options: object }[] = [];
  const secure = cookieSecure(env.EC_COOKIE_SECURE, request.headers.get('x-forwarded-proto'), request.nextUrl.protocol);
  const auth = await supabaseAuthClient(
    supabase,
    {
      getAll: () => request.cookies.getAll(),
      setAll: (list) => {
        for (const c of list) {
          written.push(c);
          request.cookies.set(c.name, c.value);
        }
      },
    },
    secure,
  );
  const user = await signedInUser(auth);
  const response = user || signInPage ? onward() : toSignIn();
  for (const c of written) response.cookies.set(c.name, c.value, c.options);
  return response;
}

export const config = {
  // Pages only: the API authenticates with tokens (or answers 401 itself), assets need nothing.
  matcher: ['/((?!api/|_next/|favicon.ico).*)'],
};
