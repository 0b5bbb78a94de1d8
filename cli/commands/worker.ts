import { type Env } from '../../lib/config/env';
import { gatePolicy } from '../../lib/gate/gate-policy';
import { startPhaseWorker } from '../../lib/executor/job-queue';
import { startSignals } from '../../lib/signals/start-signals';
import { onExit } from '../on-exit';
import { addEnvWebhook, publicUrl } from '../env-webhook';
import { resolveDatabases } from '../target';

export const WORKER_USAGE = `usage: expand-contract worker

Runs queued phases and the pg_stat_statements sampler without serving the dashboard (e.g. a separate
deployment next to it), against DATABASE_URL and TARGET_DATABASE_URL. No options; stop it with Ctrl-C.`;

/** `expand-contract worker`: runs queued phases without serving the dashboard (e.g. a separate deployment). */
export async function workerCommand(args: string[], env: Env, projectDir: string): Promise<number | void> {
  if (args.length > 0) {
    const help = args[0] === '--help' || args[0] === '-h';
    if (!help) process.stderr.write(`error: worker takes no arguments\n`);
    (help ? process.stdout : process.stderr).write(`${WORKER_USAGE}\n`);
    return help ? 0 : 2;
  }
  const dbs = await resolveDatabases(env, projectDir, { state: true });
  await addEnvWebhook(dbs.stateUrl, env, (l) => process.stdout.write(`${l}\n`));
  const worker = await startPhaseWorker({
    stateUrl: dbs.stateUrl,
    targetUrl: dbs.targetUrl,
    targetLogDir: dbs.targetLogDir,
    ...gatePolicy(env),
    publicUrl: publicUrl(env),
    log: (l) => process.stdout.write(`${l}\n`),
  });
  const signals = startSignals({
    stateUrl: dbs.stateUrl,
    targetUrl: dbs.targetUrl,
    targetLogDir: dbs.targetLogDir,
    env,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  onExit(async () => {
    await worker.stop().catch(() => {});
    await signals.stop().catch(() => {});
    await dbs.stop();
  });
  process.stdout.write('worker ready; press Ctrl-C to stop\n');
  setInterval(() => {}, 1 << 30);
}
