import { AppError } from '../errors/app-error';

/** An embedded PostgreSQL server would not start or stop; `logTail` holds its last log lines. Apart from the server code so that reporting it loads no Postgres package. */
export class EmbeddedServerError extends AppError {
  readonly code = 'embedded-server';
  readonly kind = 'unavailable';
  constructor(
    message: string,
    readonly dataDir: string,
    readonly logTail: string[] = [],
  ) {
    super(message);
    this.name = 'EmbeddedServerError';
  }
}

/** Another live process already serves this data directory. */
export class AlreadyRunningError extends EmbeddedServerError {
  constructor(
    dataDir: string,
    readonly pid: number,
  ) {
    super(`another Expand/Contract process (pid ${pid}) is already using ${dataDir}: stop it (kill ${pid}) or set EC_DATA_DIR to another folder`, dataDir);
    this.name = 'AlreadyRunningError';
  }
}
