import { AppError } from '../errors/app-error';

export type DatabaseSide = 'state' | 'target';

/** A connection to one of the two databases went away while the product was using it. */
export class ConnectionLostError extends AppError {
  readonly code = 'connection-lost';
  readonly kind = 'unavailable';
  constructor(
    readonly database: DatabaseSide,
    /** host:port/database, never the password. */
    readonly where: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`lost the connection to the ${database} database ${where} (${reason})`, options);
    this.name = 'ConnectionLostError';
  }
}
