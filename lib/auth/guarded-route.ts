import 'server-only';
import { NextResponse } from 'next/server';
import { statePool } from '../db/pools';
import { AppError, type ErrorKind } from '../errors/app-error';
import { bearerToken, type ApiToken, TokenRefusedError, type TokenScope, verifyApiToken } from './api-tokens';
import { currentActor } from './current-actor';
import type { Actor } from '../lifecycle/permissions';
import { type EntryRule, markGuarded, type PersonRule } from './guarded-action';

type Handler<Ctx, Who> = (request: Request, ctx: Ctx, who: Who) => Promise<Response>;

const refuse = (status: number, error: string) => NextResponse.json({ error }, { status, headers: { 'cache-control': 'no-store' } });

/** How every route handler answers the product's errors: by kind, as `{ error: message }`. */
export const HTTP_STATUS: Record<ErrorKind, number> = { forbidden: 403, conflict: 409, 'not-found': 404, invalid: 400, unavailable: 503 };

/** A typed error thrown by a handler becomes its status and message; anything else stays a 500. */
async function answerErrors(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError) return refuse(HTTP_STATUS[error.kind], error.message);
    throw error;
  }
}

/**
 * The only way the app defines a route handler, so none can forget to ask who is calling:
 * - `public`: nobody is asked, for what holds no data (the API's own description); no cookie or
 *   token is read, so it answers even with the state database down;
 * - `anyone`: the handler gets the person or null and decides what an anonymous caller may see;
 * - a rule over the signed-in person: 401 without a session, 403 when the rule refuses;
 * - `{ token: scope }`: an API token of that scope (never cookies), 401 otherwise; whether a
 *   token is unknown, revoked or for something else is not told to whoever holds it.
 * A typed error (AppError) the handler throws is answered by HTTP_STATUS.
 */
export function guardedRoute<Ctx>(access: 'public', handler: Handler<Ctx, null>): (request: Request, ctx?: Ctx) => Promise<Response>;
export function guardedRoute<Ctx>(access: 'anyone', handler: Handler<Ctx, Actor | null>): (request: Request, ctx?: Ctx) => Promise<Response>;
export function guardedRoute<Ctx>(access: PersonRule, handler: Handler<Ctx, Actor>): (request: Request, ctx?: Ctx) => Promise<Response>;
export function guardedRoute<Ctx>(access: { token: TokenScope }, handler: Handler<Ctx, ApiToken>): (request: Request, ctx?: Ctx) => Promise<Response>;
export function guardedRoute<Ctx>(access: 'public' | EntryRule | { token: TokenScope }, handler: Handler<Ctx, never>) {
  // ctx is optional only so a handler without route parameters can be called with the request alone (tests).
  const guarded = async (request: Request, ctx?: Ctx) => {
    const run = (who: unknown) => answerErrors(() => (handler as Handler<Ctx | undefined, unknown>)(request, ctx, who));
    if (access === 'public') return run(null);
    if (access === 'anyone') return run(await currentActor());
    if (typeof access === 'object') {
      let token: ApiToken;
      try {
        token = await verifyApiToken(statePool(), bearerToken(request.headers.get('authorization')), access.token);
      } catch (error) {
        // A refused token is 401, not the 403 of its kind: the caller has not said who it is.
        if (error instanceof TokenRefusedError)
          return refuse(401, error.reason === 'missing' || error.reason === 'malformed' ? error.message : 'the token is not valid');
        throw error;
      }
      return run(token);
    }
    const actor = await currentActor();
    if (!actor) return refuse(401, 'sign in first');
    const allowed = access(actor);
    if (!allowed.ok) return refuse(403, allowed.reason);
    return run(actor);
  };
  return markGuarded(guarded, typeof access === 'string' ? access : typeof access === 'object' ? `token:${access.token}` : 'person');
}
