import type { ClientBase } from 'pg';
import { inTransaction } from './transaction';
import { quoteIdent } from '../migrations/quote';
import { AppError } from '../errors/app-error';

export class HandOverOwnershipError extends AppError {
  readonly code = 'hand-over-ownership';
  readonly kind = 'unavailable';
  constructor(
    readonly database: string,
    readonly owner: string,
    readonly statement: string,
    readonly reason: string,
  ) {
    super(`could not hand ${database} over to ${owner} (${statement}): ${reason}`);
    this.name = 'HandOverOwnershipError';
  }
}

// What the connected superuser owns in this database outside the system schemas, leaving
// out extension members (they stay the extension's) and what follows its table (indexes,
// TOAST, row types, identity and serial sequences). Identifiers come quoted by Postgres.
const OWNED_BY_ME = `
WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user),
     schemas AS (SELECT oid, nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'),
     ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT 1 AS rank, 'SCHEMA' AS kind, quote_ident(n.nspname) AS name
  FROM schemas n JOIN pg_namespace p ON p.oid = n.oid
 WHERE p.nspowner = (SELECT oid FROM me)
   AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_namespace'::regclass AND objid = n.oid)
UNION ALL
SELECT 2, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
       c.oid::regclass::text
  FROM pg_class c JOIN schemas n ON n.oid = c.relnamespace
 WHERE c.relowner = (SELECT oid FROM me)
   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
UNION ALL
SELECT 3, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text
  FROM pg_type t JOIN schemas n ON n.oid = t.typnamespace
 WHERE t.typowner = (SELECT oid FROM me)
   AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
   AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)
UNION ALL
SELECT 4, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, p.oid::regprocedure::text
  FROM pg_proc p JOIN schemas n ON n.oid = p.pronamespace
 WHERE p.proowner = (SELECT oid FROM me)
   AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_proc'::regclass AND objid = p.oid)
ORDER BY 1, 3`;

export interface HandOverReport {
  database: string;
  /** The database itself changed owner. */
  databaseChanged: boolean;
  /** Objects in it whose owner changed. */
  objects: number;
}

/**
 * Makes `owner` the owner of the database the superuser `admin` is connected to and of
 * everything the superuser owns in it: data folders from before the product had its own
 * logins hold objects the superuser created, which a plain login could not alter or drop.
 * Run at every start; once handed over there is nothing left to change.
 */
export async function handOverOwnership(admin: ClientBase, owner: string): Promise<HandOverReport> {
  const database = (await admin.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  let statement = '';
  try {
    return await inTransaction(admin, async () => {
      // Nothing else uses these databases while the product starts; a lock wait means something is wrong.
      await admin.query("SET LOCAL lock_timeout = '10s'; SET LOCAL statement_timeout = '120s'");
      const { rows: db } = await admin.query<{ ok: boolean }>(
        'SELECT datdba = (SELECT oid FROM pg_roles WHERE rolname = $1) AS ok FROM pg_database WHERE datname = current_database()',
        [owner],
      );
      if (!db[0]!.ok) {
        statement = `ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(owner)}`;
        await admin.query(statement);
      }
      const { rows } = await admin.query<{ kind: string; name: string }>(OWNED_BY_ME);
      for (const row of rows) {
        statement = `ALTER ${row.kind} ${row.name} OWNER TO ${quoteIdent(owner)}`;
        await admin.query(statement);
      }
      return { database, databaseChanged: !db[0]!.ok, objects: rows.length };
    });
  } catch (error) {
    throw new HandOverOwnershipError(database, owner, statement, (error as Error).message);
  }
}
