import { type Env } from '../../lib/config/env';
import { gatePolicy } from '../../lib/gate/gate-policy';
import { startPhaseWorker } from '../../lib/executor/job-queue';
import { startSignals } from '../../lib/signals/start-signals';
import { onExit } from '../on-exit';
import { resolveDatabases } from '../target';

/** `expand-contract worker`: runs queued phases without serving the dashboard (e.g. a separate deployment). */
export async function workerCommand(env: Env, projectDir: string): Promise<void> {
  const dbs = await resolveDatabases(env, projectDir, { state: true });
  const worker = await startPhaseWorker({ stateUrl: dbs.stateUrl, targetUrl: dbs.targetUrl, ...gatePolicy(env), log: (l) => process.stdout.write(`${l}\n`) });
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
