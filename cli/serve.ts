import pg from 'pg';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { DEMO_POLICY, supabaseAuthConfig, withDemoDefaults, type Env } from '../lib/config/env';
import { gatePolicy } from '../lib/gate/gate-policy';
import { bootstrap, type Bootstrapped } from '../lib/boot/bootstrap';
import { describeUrl } from '../lib/db/connection-url';
import { isPortFree } from '../lib/db/free-port';
import { closeAllPools } from '../lib/db/pools';
import { watchConnection } from '../lib/db/watch-connection';
import { startPhaseWorker } from '../lib/executor/job-queue';
import { startSignals } from '../lib/signals/start-signals';
import { confirmsEmailsAutomatically } from '../lib/auth/supabase-auth';
import { createApiToken } from '../lib/auth/api-tokens';
import { startDemoTraffic } from '../lib/demo/demo-traffic';
import { onExit } from './on-exit';
import { addEnvWebhook, publicUrl } from './env-webhook';
import { CommandRefusedError, say } from './output';
import { stateSchemaLines } from './state-schema-lines';

export interface ServeOptions {
  dev: boolean;
  env: Env;
  projectDir: string;
}

export function describeBootstrap(boot: Bootstrapped): string[] {
  const lines = [
    `  state database:  ${describeUrl(boot.stateUrl)} (${boot.stateSource})`,
    `  target database: ${describeUrl(boot.targetUrl)} (${boot.targetSource === 'embedded-demo' ? 'embedded demo' : 'external'})`,
  ];
  if (boot.embedded) {
    lines.push(`  embedded Postgres on 127.0.0.1:${boot.embedded.port}, data in ${boot.dataRoot}`);
    if (boot.embedded.portChanged) lines.push('  (the usual port was taken, so another free one was chosen)');
    if (boot.embedded.recoveredOrphan) lines.push('  (a server left running by a killed earlier run was shut down cleanly first)');
  }
  const m = boot.migrations;
  lines.push(`  state schema: ${m.applied.length} migration(s) applied now, ${m.alreadyApplied} already applied`);
  lines.push(...stateSchemaLines(m, boot.stateUrl));
  if (boot.demo) {
    lines.push(
      boot.demo.seeded
        ? `  demo data: seeded ${boot.demo.leads.toLocaleString('en-US')} leads, ${boot.demo.orders.toLocaleString('en-US')} orders, ${boot.demo.users.toLocaleString('en-US')} users in ${boot.demo.ms} ms`
        : `  demo data: present (~${boot.demo.leads.toLocaleString('en-US')} leads)`,
    );
  }
  return lines;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Starts the databases, then the dashboard in this same process, so killing it leaves no web server behind. */
export async function serve({ dev, env: configured, projectDir }: ServeOptions): Promise<void> {
  let env = configured;
  const started = Date.now();
  if (!(await isPortFree(env.PORT, env.HOST))) {
    throw new CommandRefusedError(
      `PORT ${env.PORT} on ${env.HOST} is already in use: stop whatever listens there or choose another, e.g. PORT=${env.PORT + 1} npm run dev`,
    );
  }
  if (!dev && !existsSync(path.join(projectDir, '.next', 'BUILD_ID'))) {
    throw new CommandRefusedError('no production build found: run `npm run build` first (or use `npm run dev`)');
  }

  const boot = await bootstrap(env, { projectDir, log: (l) => say(`  ${l}`) });
  // The app reads its connections from the environment, in this process and any worker it starts.
  process.env.DATABASE_URL = boot.stateUrl;
  process.env.TARGET_DATABASE_URL = boot.targetUrl;
  process.env.EC_STATE_SOURCE = boot.stateSource;
  process.env.EC_TARGET_SOURCE = boot.targetSource;
  // The embedded demo's short buffer and watch, for this process and the pages it serves.
  const demo = boot.targetSource === 'embedded-demo' && env.EC_DEMO_MODE !== 'off';
  const original = { ...process.env };
  env = withDemoDefaults(env, original, demo);
  if (demo) {
    for (const key of Object.keys(DEMO_POLICY) as (keyof typeof DEMO_POLICY)[]) process.env[key] = String(env[key]);
    process.env.EC_DEMO_ACTIVE = '1';
  }

  let server: http.Server | undefined;
  await addEnvWebhook(boot.stateUrl, env, (l) => say(`  ${l}`));
  // Queued phases (backfills…) run in this process, and resume here after a restart.
  const worker =
    env.EC_WORKER === 'on'
      ? await startPhaseWorker({
          stateUrl: boot.stateUrl,
          targetUrl: boot.targetUrl,
          targetLogDir: boot.targetSource === 'embedded-demo' ? boot.embedded?.logDir : undefined,
          ...gatePolicy(env),
          publicUrl: publicUrl(env),
          log: (l) => say(`  [worker] ${l}`),
        })
      : null;
  // The gate's evidence (who reads the old column, Postgres errors) is gathered all the time, not only while someone looks.
  const signals =
    env.EC_WORKER === 'on'
      ? startSignals({
          stateUrl: boot.stateUrl,
          targetUrl: boot.targetUrl,
          targetLogDir: boot.targetSource === 'embedded-demo' ? boot.embedded?.logDir : undefined,
          env,
          log: (l) => say(`  ${l}`),
        })
      : null;
  onExit(async () => {
    say(`\nstopping the dashboard${boot.embedded ? ' and the embedded Postgres' : ''}…`);
    server?.close();
    await worker?.stop().catch(() => {});
    await signals?.stop().catch(() => {});
    await closeAllPools();
    await boot.stop();
  });

  try {
    const app = next({ dev, dir: projectDir, hostname: env.HOST, port: env.PORT });
    const handle = app.getRequestHandler();
    await app.prepare();
    server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(env.PORT, env.HOST, resolve);
    });
  } catch (error) {
    await boot.stop();
    throw error;
  }

  const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}`;
  // The demo's two app versions, reporting through the real ingest API with a token of their own.
  let traffic: { stop: () => Promise<void> } | null = null;
  if (demo && env.EC_DEMO_TRAFFIC > 0) {
    const statePoolForToken = new pg.Pool({ connectionString: boot.stateUrl, max: 1 });
    watchConnection(statePoolForToken, 'state', boot.stateUrl, (l) => say(`  ${l}`));
    try {
      await statePoolForToken.query("UPDATE expand_contract.api_tokens SET revoked_at = now() WHERE label = 'demo traffic' AND revoked_at IS NULL");
      const { token } = await createApiToken(statePoolForToken, { scope: 'ingest', service: 'demo-web', label: 'demo traffic', createdBy: 'demo' });
      traffic = startDemoTraffic({
        targetUrl: boot.targetUrl,
        stateUrl: boot.stateUrl,
        ingestUrl: `${url}/api/v1/metrics`,
        token,
        rate: env.EC_DEMO_TRAFFIC,
        drainSeconds: 30,
        log: (l) => say(`  ${l}`),
      });
    } finally {
      await statePoolForToken.end();
    }
    onExit(async () => traffic?.stop());
  }
  say('');
  say(`Expand/Contract is ready (${dev ? 'development' : 'production'} mode, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  say(`  open ${url}`);
  for (const line of describeBootstrap(boot)) say(line);
  const supabase = supabaseAuthConfig(env);
  if (supabase) {
    say(
      `  sign-in: Supabase Auth at ${supabase.url}; an account made with \`expand-contract user create <email> --role …\` links to the Supabase user with that email at its first sign-in`,
    );
    // Said at start, so the operator hears it before the first person is refused.
    const autoconfirm = await confirmsEmailsAutomatically(supabase).catch((error: Error) => error);
    if (autoconfirm instanceof Error)
      say(`  warning: ${autoconfirm.message}; sign-in fails until it does (check NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY)`);
    if (autoconfirm === true)
      say(
        '  warning: the Supabase project confirms emails automatically, so no account is linked until it confirms them (Authentication → Providers → Email → Confirm email)',
      );
  } else if (boot.demoUsers?.length) {
    say(`  sign in with a demo account (kept in ${boot.dataRoot}/demo-users.json):`);
    for (const u of boot.demoUsers) say(`    ${u.email.padEnd(22)} ${u.password}   ${u.roles.join(', ')}`);
  } else {
    say('  sign-in: accounts in the state database; create one with `expand-contract user create <email> --role admin`');
  }
  if (!isLoopback(env.HOST)) say(`  listening on ${env.HOST}: use HTTPS in front of it, so session cookies are sent over TLS only`);
  say(`  job worker: ${worker ? 'running (queued phases run here)' : 'off (EC_WORKER=off)'}`);
  if (traffic)
    say(
      `  demo traffic: app v1 (user_email) and, once the rename's deploy is marked, v2 (contact_email), ${env.EC_DEMO_TRAFFIC} requests/s each (EC_DEMO_TRAFFIC=0 turns it off)`,
    );
  if (demo)
    say(
      `  demo mode: contract buffer ${env.EC_BUFFER_MINUTES} min, legacy-read watch ${env.EC_OBSERVATION_MINUTES} min (instead of 3 days and 1 day; EC_DEMO_MODE=off for the real policy)`,
    );
  if (signals) say(`  pg_stat_statements sampler: every ${env.EC_SAMPLE_SECONDS} s${signals.logReader ? '; Postgres-log error reader: on' : ''}`);
  say(`  error rates: POST ${url}/api/v1/metrics with a token from \`expand-contract token create ingest <service>\``);
  say('  press Ctrl-C to stop (the embedded Postgres stops with it)');
}
