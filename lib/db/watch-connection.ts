import pg from 'pg';
import { describeUrl, redactSecrets } from './connection-url';
import { SQL_STATE } from './sql-state';
import { ConnectionLostError, type DatabaseSide } from './connection-lost-error';

// Apart so that reporting a lost connection does not load pg.
export { ConnectionLostError, type DatabaseSide };

// Administrator or crash shutdown, server starting up or going down, idle-session timeout, and the connection-exception class.
const LOSS_CODES = new Set<string>([
  SQL_STATE.adminShutdown,
  SQL_STATE.crashShutdown,
  SQL_STATE.cannotConnectNow,
  SQL_STATE.idleSessionTimeout,
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// What node-postgres says when the socket closes under a query, and to every query on a client that already lost it.
// A database refusing new sessions (ALLOW_CONNECTIONS false) is as unreachable as a closed one, though its SQLSTATE is generic.
const LOSS_MESSAGES =
  /Connection terminated unexpectedly|Connection terminated due to connection timeout|encountered a connection error and is not queryable|is not currently accepting connections/;

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && typeof e === 'object' && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

/** Whether an error means the connection itself is gone (as opposed to a statement that failed on a live one). */
export function isConnectionLoss(error: unknown): boolean {
  return causes(error).some((e) => {
    if (e instanceof ConnectionLostError) return true;
    const { code, message } = e as { code?: unknown; message?: unknown };
    return (typeof code === 'string' && (LOSS_CODES.has(code) || code.startsWith('08'))) || (typeof message === 'string' && LOSS_MESSAGES.test(message));
  });
}

function reasonOf(error: unknown): string {
  const loss = causes(error).find((e) => isConnectionLoss(e) && !(e instanceof ConnectionLostError)) ?? error;
  return redactSecrets(String((loss as { message?: unknown }).message ?? loss).split('\n')[0]!);
}

export interface ConnectionWatch {
  readonly database: DatabaseSide;
  readonly where: string;
  /** When this connection (or one of the pool's) was last lost, in ms since the epoch; 0 if never. */
  readonly lostAt: number;
  /** The error the loss first showed as (the server's reason, when it gave one). */
  readonly loss: unknown;
  /** Whether this error came from losing this connection (or one of the pool's). */
  saw(error: unknown): boolean;
}

// One line per kind of loss every half minute: a server that stays down must not flood the log.
const QUIET_MS = 30_000;

/** A log that says a line again only after half a minute of not saying it. */
export function quietLog(log: (line: string) => void): (line: string) => void {
  let last = '';
  let lastAt = 0;
  return (line) => {
    if (line === last && Date.now() - lastAt < QUIET_MS) return;
    [last, lastAt] = [line, Date.now()];
    log(line);
  };
}

/**
 * Gives a client or pool the error handler every node-postgres connection needs (without
 * one, a connection the server closes crashes the process with an unhandled 'error'
 * event) and remembers which errors meant losing it, so that lostConnection can name the
 * database. A pool's idle connection that goes is said once through `log` (nobody else
 * sees it: the pool drops it and the next query opens another); a loss in use reaches
 * whoever was using the connection, as a rejected query.
 */
export function watchConnection(connection: pg.Client | pg.Pool, database: DatabaseSide, url: string, log?: (line: string) => void): ConnectionWatch {
  const where = describeUrl(url);
  const seen = new WeakSet<object>();
  let lostAt = 0;
  let loss: unknown = null;
  const say = log && quietLog(log);
  const note = (error: unknown) => {
    if (!error || typeof error !== 'object' || !isConnectionLoss(error)) return;
    seen.add(error);
    // The first error of a loss carries the server's reason; the socket closing right after only says it closed.
    if (Date.now() - lostAt > 60_000) loss = error;
    lostAt = Date.now();
  };
  const watchClient = (client: pg.Client) => {
    client.on('error', note);
    // A fatal message that ends a running query rejects the query but emits no 'error' event: remember it too.
    client.connection.on('errorMessage', note);
  };
  if (connection instanceof pg.Pool) {
    // Clients checked out of the pool lose the pool's own listener until they are released.
    connection.on('connect', watchClient);
    connection.on('release', note);
    connection.on('error', (error) => {
      note(error);
      say?.(`${new ConnectionLostError(database, where, reasonOf(error)).message}; the next query opens a new connection`);
    });
  } else {
    watchClient(connection);
  }
  return {
    database,
    where,
    get lostAt() {
      return lostAt;
    },
    get loss() {
      return loss;
    },
    saw: (error) => causes(error).some((e) => seen.has(e as object)),
  };
}

/** For connections a library keeps to itself (pg-boss's pool): the loss named by its database, or null for any other error. */
export function lostConnectionTo(database: DatabaseSide, url: string, error: unknown): ConnectionLostError | null {
  return isConnectionLoss(error) ? new ConnectionLostError(database, describeUrl(url), reasonOf(error), { cause: error }) : null;
}

/**
 * The error as the operator should read it: a ConnectionLostError naming the database when
 * the connection was lost (the connection that saw this very error, else the one lost in
 * the last minute), or null when the error is something else.
 */
export function lostConnection(error: unknown, watches: ConnectionWatch[]): ConnectionLostError | null {
  if (error instanceof ConnectionLostError) return error;
  if (!isConnectionLoss(error)) return null;
  const recent = watches.filter((w) => Date.now() - w.lostAt < 60_000).sort((a, b) => b.lostAt - a.lostAt);
  const watch = watches.find((w) => w.saw(error)) ?? recent[0] ?? (watches.length === 1 ? watches[0] : undefined);
  if (!watch) return null;
  // A query sent after the loss only hears that the client is unusable: the reason is the loss's own.
  const reason = watch.loss && Date.now() - watch.lostAt < 60_000 ? reasonOf(watch.loss) : reasonOf(error);
  return new ConnectionLostError(watch.database, watch.where, reason, { cause: error });
}
