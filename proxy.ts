import { NextResponse, type NextRequest } from 'next/server';

/**
 * Sends a request without a session cookie to the sign-in page before any rendering, and
 * tells pages their own path (for the way back). Only a shortcut: every page and action
 * checks the session against the database itself.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (!request.cookies.has('ec_session')) {
    const url = request.nextUrl.clone();
    url.pathname = '/sign-in';
    url.search = `?next=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  const forwarded = new Headers(request.headers);
  forwarded.set('x-ec-path', pathname + search);
  return NextResponse.next({ request: { headers: forwarded } });
}

export const config = {
  // Pages only: the API authenticates with tokens (or answers 401 itself), assets need nothing.
  matcher: ['/((?!api/|_next/|sign-in|favicon.ico).*)'],
};
