import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { AppError } from '../errors/app-error';

/** A pool, or one connection inside a transaction (a person's, under row-level security). */
type Db = Pool | PoolClient;

/**
 * ingest: a service reports error rates; deploy: a CD pipeline marks deploys and reads the state and gate of the
 * migrations it may mark; calendar: reads the schedule feed, nothing else.
 */
export type TokenScope = 'ingest' | 'deploy' | 'calendar';

export interface ApiToken {
  id: string;
  scope: TokenScope;
  service: string | null;
  migrationId: number | null;
  label: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** What a token may do, in words, for the admin page and `token list`. */
export function tokenScopeWords(t: Pick<ApiToken, 'scope' | 'service' | 'migrationId'>): string {
  if (t.scope === 'ingest') return `ingest for ${t.service}`;
  if (t.scope === 'calendar') return 'calendar feed (read-only)';
  return `deploy for ${t.migrationId ? `migration ${t.migrationId}` : 'every migration'}`;
}

/** Why a bearer token was refused; the HTTP layer turns every kind into the same 401. */
export class TokenRefusedError extends AppError {
  readonly code = 'token-refused';
  readonly kind = 'forbidden';
  constructor(readonly reason: 'missing' | 'malformed' | 'unknown' | 'revoked' | 'wrong-scope') {
    super(
      {
        missing: 'no bearer token: send Authorization: Bearer <token>',
        malformed: 'the Authorization header is not "Bearer <token>"',
        unknown: 'the token is not valid',
        revoked: 'the token was revoked',
        'wrong-scope': 'the token is not allowed to do this',
      }[reason],
    );
    this.name = 'TokenRefusedError';
  }
}

// The prefix makes a leaked token recognisable (secret scanners, logs); the rest is 256 random bits.
const PREFIX = 'ec_';
const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest();

const toToken = (r: Record<string, unknown>): ApiToken => ({
  id: r.id as string,
  scope: r.scope as TokenScope,
  service: (r.service as string | null) ?? null,
  migrationId: r.migration_id === null ? null : Number(r.migration_id),
  label: r.label as string,
  createdBy: r.created_by as string,
  createdAt: r.created_at as Date,
  lastUsedAt: (r.last_used_at as Date | null) ?? null,
  revokedAt: (r.revoked_at as Date | null) ?? null,
});

/** Creates a token and returns its only readable copy: the database keeps its hash. */
export async function createApiToken(
  state: Db,
  input: { scope: TokenScope; service?: string; migrationId?: number; label?: string; createdBy: string },
): Promise<{ token: string; record: ApiToken }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await state.query(
    `INSERT INTO expand_contract.api_tokens (scope, service, migration_id, token_hash, label, created_by) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, scope, service, migration_id, label, created_by, created_at, last_used_at, revoked_at`,
    [input.scope, input.service ?? null, input.migrationId ?? null, hash(token), input.label ?? '', input.createdBy],
  );
  return { token, record: toToken(rows[0]!) };
}

export async function listApiTokens(state: Db): Promise<ApiToken[]> {
  const { rows } = await state.query(
    'SELECT id, scope, service, migration_id, label, created_by, created_at, last_used_at, revoked_at FROM expand_contract.api_tokens ORDER BY created_at DESC',
  );
  return rows.map(toToken);
}

/** Revokes a token; true when it existed and was live. */
export async function revokeApiToken(state: Db, id: string): Promise<boolean> {
  // The uuid's own shape: anything else would reach Postgres as an invalid uuid (a 500), not as "no such token".
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false;
  const { rowCount } = await state.query('UPDATE expand_contract.api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return rowCount === 1;
}

/** The token in an Authorization header, or why there is none. */
export function bearerToken(header: string | null): string {
  if (!header) throw new TokenRefusedError('missing');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new TokenRefusedError('malformed');
  return match[1]!;
}

/**
 * The request with a `?token=` from its URL as its bearer token, for the one route whose callers
 * cannot send headers (calendar apps subscribe to a URL): the route's guard then checks it like
 * any bearer token. A header, when sent, wins, so the query cannot override what a client meant.
 */
export function withQueryToken(request: Request): Request {
  const token = new URL(request.url).searchParams.get('token');
  if (token === null || request.headers.has('authorization')) return request;
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token}`);
  // Built from its URL, method and headers, not from the request itself: on Node 22+ the request Next.js
  // hands a route is not the runtime's own Request class, and copying one reads its private state (a 500).
  // A feed is a GET: there is no body to carry over.
  return new Request(request.url, { method: request.method, headers });
}

/**
 * The live token with this value and scope. Looked up by hash, so the comparison is an index
 * probe that leaks no timing about a near miss. last_used_at is written at most once a
 * minute: a busy ingest client must not turn every batch into a row update.
 */
export async function verifyApiToken(state: Pool, token: string, scope: TokenScope): Promise<ApiToken> {
  if (!token.startsWith(PREFIX) || token.length > 200) throw new TokenRefusedError('unknown');
  const { rows } = await state.query('SELECT * FROM expand_contract.api_tokens WHERE token_hash = $1', [hash(token)]);
  const found = rows[0] ? toToken(rows[0]) : null;
  if (!found) throw new TokenRefusedError('unknown');
  if (found.revokedAt) throw new TokenRefusedError('revoked');
  if (found.scope !== scope) throw new TokenRefusedError('wrong-scope');
  if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000) {
    await state.query(
      "UPDATE expand_contract.api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
      [found.id],
    );
  }
  return found;
}

/** Whether a deploy token reaches this migration (marks its deploy, reads its status): one scoped to it, or to every migration. */
export const deployTokenCovers = (token: Pick<ApiToken, 'migrationId'>, migrationId: number): boolean =>
  token.migrationId === null || token.migrationId === migrationId;

/** A deploy token that may mark this migration. */
export async function verifyDeployToken(state: Pool, token: string, migrationId: number): Promise<ApiToken> {
  const found = await verifyApiToken(state, token, 'deploy');
  if (!deployTokenCovers(found, migrationId)) throw new TokenRefusedError('wrong-scope');
  return found;
}
