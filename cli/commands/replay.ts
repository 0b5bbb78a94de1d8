import { parseArgs } from 'node:util';
import type { Env } from '../../lib/config/env';
import { describeSqlStates } from '../../lib/demo/describe-sql-states';
import { runReplay } from '../../lib/demo/replay';
import { reportFailure, UsageError } from '../output';
import { resolveDatabases } from '../target';

const USAGE = `usage: expand-contract replay [--json] [--rows N] [--rate N] [--drain-seconds N]

Replays the 2am incident on two scratch copies of a leads table in the target, under the same
simulated traffic (old and new app versions, reads, updates, inserts): a naive RENAME COLUMN while
the old version still runs, then the expand-contract lifecycle. Prints the measured errors.`;

export async function replayCommand(args: string[], env: Env, projectDir: string): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        json: { type: 'boolean' },
        rows: { type: 'string' },
        rate: { type: 'string' },
        'drain-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // Whatever parseArgs refuses is the command line's fault.
    return reportFailure(error, { usage: { errors: [Error], text: USAGE }, json: args.includes('--json') });
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const num = (v: string | undefined, name: string, min: number, max: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  let options;
  try {
    options = {
      rows: num(values.rows, 'rows', 100, 10_000_000),
      rate: num(values.rate, 'rate', 1, 1000),
      drainSeconds: num(values['drain-seconds'], 'drain-seconds', 1, 600),
    };
  } catch (error) {
    return reportFailure(error, { usage: { errors: [UsageError] }, json: values.json });
  }
  const dbs = await resolveDatabases(env, projectDir, { state: true });
  try {
    const log = values.json ? undefined : (line: string) => process.stdout.write(`${line}\n`);
    const r = await runReplay({ stateUrl: dbs.stateUrl, targetUrl: dbs.targetUrl, ...options, log });
    if (values.json) {
      const { migrationId, ...expandContract } = r.expandContract;
      process.stdout.write(`${JSON.stringify({ naive: r.naive, expandContract, migrationId }, null, 2)}\n`);
    } else {
      const states = (s: Record<string, number>) => describeSqlStates(s) || 'none';
      process.stdout.write(`naive:           ${r.naive.errors} error(s) in ${r.naive.requests} requests (${states(r.naive.bySqlstate)})\n`);
      process.stdout.write(
        `expand-contract: ${r.expandContract.errors} error(s) in ${r.expandContract.requests} requests, ${r.expandContract.mismatchedRows} mismatched row(s) (migration ${r.expandContract.migrationId})\n`,
      );
    }
    return 0;
  } catch (error) {
    return reportFailure(error, { json: values.json });
  } finally {
    await dbs.stop();
  }
}
