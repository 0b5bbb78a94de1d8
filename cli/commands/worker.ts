import { gatePolicy, type Env } from '../../lib/config/env';
import { describeUrl } from '../../lib/db/connection-url';
import { startPhaseWorker } from '../../lib/executor/job-queue';
import { startSampler } from '../../lib/signals/start-sampler';
import { onExit } from '../on-exit';
import { resolveDatabases } from '../target';

/** `expand-contract worker`: runs queued phases without serving the dashboard (e.g. a separate deployment). */
export async function workerCommand(env: Env, projectDir: string): Promise<void> {
  const dbs = await resolveDatabases(env, projectDir, { state: true });
  const worker = await startPhaseWorker({ stateUrl: dbs.stateUrl, targetUrl: dbs.targetUrl, ...gatePolicy(env), log: (l) => process.stdout.write(`${l}\n`) });
  const sampler = startSampler({ stateUrl: dbs.stateUrl, targetUrl: dbs.targetUrl, targetLabel: describeUrl(dbs.targetUrl), everySeconds: env.EC_SAMPLE_SECONDS });
  onExit(async () => {
    await worker.stop().catch(() => {});
    await sampler.stop().catch(() => {});
    await dbs.stop();
  });
  process.stdout.write('worker ready; press Ctrl-C to stop\n');
  setInterval(() => {}, 1 << 30);
}
