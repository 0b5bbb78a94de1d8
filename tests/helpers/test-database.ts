import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../lib/db/connection-url';
import type { Logins } from '../../lib/db/provision-logins';
import { quoteIdent } from '../../lib/migrations/quote';

/** Which plain login a database belongs to: the state side's or the target side's (see provision-logins.ts). */
export type TestLogin = keyof Logins;

export interface SqlRunner {
  url: string;
  /** Runs SQL on this database through a short-lived connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** A connection kept open until drop(). */
  client(): Promise<pg.Client>;
}

export interface TestDatabase extends SqlRunner {
  name: string;
  /** The plain login that owns the database; url, query and client connect as it, as the product does. */
  login: TestLogin;
  /** The superuser, for the few fixtures a plain login may not do: extensions, other roles, resets. */
  admin: SqlRunner;
  drop(): Promise<void>;
}

/** The superuser, for creating databases and roles; the product under test never gets it. */
export function adminUrl(): string {
  return inject('adminUrl');
}

/** The plain login's URL: what the product under test connects as, like the embedded default. */
export function loginUrl(login: TestLogin, database = 'postgres'): string {
  const { name, password } = inject('logins')[login];
  const url = new URL(withDatabase(adminUrl(), database));
  url.username = encodeURIComponent(name);
  url.password = encodeURIComponent(password);
  return url.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Connections to `url`; the kept ones are collected in `open`, for the owner's drop() to end. */
export function sqlRunner(url: string, open: pg.Client[]): SqlRunner {
  return {
    url,
    async client() {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {});
      await c.connect();
      open.push(c);
      return c;
    },
    async query(sql, values) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await c.query(sql, values);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A fresh, empty database on the test server, so test files never see each other's tables,
 * owned by the plain login of its side (the target's unless told), as the embedded default's are.
 */
export async function createTestDatabase(prefix = 'test', login: TestLogin = 'target'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const owner = inject('logins')[login].name;
  await admin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)}`));
  const open: pg.Client[] = [];
  return {
    name,
    login,
    ...sqlRunner(loginUrl(login, name), open),
    admin: sqlRunner(withDatabase(adminUrl(), name), open),
    async drop() {
      await Promise.all(open.map((c) => c.end().catch(() => {})));
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}
