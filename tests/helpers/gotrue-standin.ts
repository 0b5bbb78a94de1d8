import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Supabase Auth (GoTrue) in tests: the real server needs Docker, which test
 * machines do not have. It speaks only the part of GoTrue's HTTP API that @supabase/auth-js
 * calls for email sign-in (POST /token password and refresh_token grants, GET /user,
 * POST /logout) and GET /settings, with the response and error shapes auth-js parses (fetch.ts
 * handleError, _sessionResponse): HS256 access tokens carrying `amr`, single-use refresh tokens
 * that rotate, sessions that end at logout. Switches reproduce the project settings and
 * failures the dashboard must handle. The dashboard's code, @supabase/ssr and auth-js under test are the real ones.
 */

export interface StandInUser {
  id: string;
  email: string;
  password: string;
  confirmed: boolean;
}

interface Session {
  id: string;
  userId: string;
  refreshToken: string;
  ended: boolean;
  /** When the password was entered (seconds): the `amr` timestamp of every token of the session. */
  authenticatedAt: number;
}

export interface StandInSwitches {
  /** The project confirms emails at sign-up without a link (GoTrue's MAILER_AUTOCONFIRM). */
  autoconfirm: boolean;
  /** Unconfirmed users may sign in (GoTrue's MAILER_ALLOW_UNVERIFIED_EMAIL_SIGN_INS). */
  allowUnverifiedSignIns: boolean;
  /** Password grants answer 429, as GoTrue's rate limiter does. */
  rateLimited: boolean;
  /** Logouts answer 500. */
  logoutFails: boolean;
}

export interface GoTrueStandIn {
  /** The project URL to configure (NEXT_PUBLIC_SUPABASE_URL): GoTrue answers under /auth/v1. */
  url: string;
  anonKey: string;
  addUser(email: string, password: string, confirmed?: boolean): StandInUser;
  /**
   * The next access token issued lives only this long (the ones after it an hour): under
   * auth-js's 90 s margin, the next request that uses it refreshes it.
   */
  shortenNextToken(seconds: number): void;
  /** Moves every session's sign-in time back (as if the password was entered that long ago); shows in the next token. */
  ageSessions(seconds: number): void;
  switches: StandInSwitches;
  /** Requests received, per route ("POST /token?grant_type=refresh_token"), for assertions. */
  calls: Map<string, number>;
  /** The requests of each route that were refused (4xx). */
  failures: Map<string, number>;
  close(): Promise<void>;
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export async function startGoTrueStandIn(options: { port?: number } = {}): Promise<GoTrueStandIn> {
  const secret = randomBytes(32);
  const users = new Map<string, StandInUser>();
  const sessions = new Map<string, Session>();
  const calls = new Map<string, number>();
  const failures = new Map<string, number>();
  let nextTokenSeconds: number | null = null;
  const switches: StandInSwitches = { autoconfirm: false, allowUnverifiedSignIns: false, rateLimited: false, logoutFails: false };

  const sign = (claims: object) => {
    const head = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
    return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  };
  const verify = (token: string): Record<string, unknown> | null => {
    const [h, p, s] = token.split('.');
    if (!h || !p || !s) return null;
    const expected = Buffer.from(createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'));
    if (expected.length !== s.length || !timingSafeEqual(expected, Buffer.from(s))) return null;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() ? claims : null;
  };
  const userJson = (u: StandInUser) => ({
    id: u.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: u.email,
    email_confirmed_at: u.confirmed ? '2026-01-01T00:00:00Z' : null,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });
  const issue = (u: StandInUser, session: Session) => {
    const now = Math.floor(Date.now() / 1000);
    const accessSeconds = nextTokenSeconds ?? 3600;
    nextTokenSeconds = null;
    session.refreshToken = randomBytes(16).toString('hex');
    const claims = {
      sub: u.id,
      email: u.email,
      role: 'authenticated',
      aud: 'authenticated',
      session_id: session.id,
      iat: now,
      exp: now + accessSeconds,
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: session.authenticatedAt }],
    };
    return {
      access_token: sign(claims),
      token_type: 'bearer',
      expires_in: accessSeconds,
      expires_at: now + accessSeconds,
      refresh_token: session.refreshToken,
      user: userJson(u),
    };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const route = `${req.method} ${url.pathname.replace(/^\/auth\/v1/, '')}${url.searchParams.has('grant_type') ? `?grant_type=${url.searchParams.get('grant_type')}` : ''}`;
      calls.set(route, (calls.get(route) ?? 0) + 1);
      const send = (status: number, body?: object) => {
        if (status >= 400) failures.set(route, (failures.get(route) ?? 0) + 1);
        res.writeHead(status, { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' });
        res.end(body ? JSON.stringify(body) : undefined);
      };
      const fail = (status: number, code: string, msg: string) => send(status, { code, error_code: code, msg });
      if (req.headers.apikey === undefined) return fail(401, 'no_api_key', 'No API key found in request');
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /i, '');
      const claims = verify(bearer);
      const session = claims ? sessions.get(String(claims.session_id)) : undefined;

      switch (route) {
        case 'GET /settings':
          return send(200, { external: { email: true }, disable_signup: false, mailer_autoconfirm: switches.autoconfirm, phone_autoconfirm: false });
        case 'POST /token?grant_type=password': {
          if (switches.rateLimited) return fail(429, 'over_request_rate_limit', 'Request rate limit reached');
          const u = users.get(String(body.email ?? '').toLowerCase());
          if (!u || u.password !== body.password) return fail(400, 'invalid_credentials', 'Invalid login credentials');
          if (!u.confirmed && !switches.allowUnverifiedSignIns) return fail(400, 'email_not_confirmed', 'Email not confirmed');
          const s: Session = { id: randomUUID(), userId: u.id, refreshToken: '', ended: false, authenticatedAt: Math.floor(Date.now() / 1000) };
          sessions.set(s.id, s);
          return send(200, issue(u, s));
        }
        case 'POST /token?grant_type=refresh_token': {
          const s = [...sessions.values()].find((x) => x.refreshToken === body.refresh_token && !x.ended);
          if (!s) return fail(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
          const u = [...users.values()].find((x) => x.id === s.userId)!;
          return send(200, issue(u, s));
        }
        case 'GET /user': {
          if (!claims) return fail(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature, token is expired');
          if (!session || session.ended) return fail(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
          return send(200, userJson([...users.values()].find((x) => x.id === claims.sub)!));
        }
        case 'POST /logout': {
          if (switches.logoutFails) return fail(500, 'unexpected_failure', 'Unexpected failure');
          if (!claims) return fail(403, 'bad_jwt', 'invalid JWT');
          if (session) session.ended = true;
          return send(204);
        }
        default:
          return fail(404, 'not_found', `the stand-in does not serve ${route}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    anonKey: sign({ role: 'anon', iss: 'supabase', iat: 0, exp: 4_000_000_000 }),
    addUser(email, password, confirmed = true) {
      const u = { id: randomUUID(), email: email.toLowerCase(), password, confirmed };
      users.set(u.email, u);
      return u;
    },
    shortenNextToken(seconds) {
      nextTokenSeconds = seconds;
    },
    ageSessions(seconds) {
      for (const s of sessions.values()) s.authenticatedAt -= seconds;
    },
    switches,
    calls,
    failures,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
