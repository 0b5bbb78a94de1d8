import pg from 'pg';
import { startApp, type AppOutcomes, type SimulatedApp } from './simulate-app';

export interface DemoTrafficOptions {
  targetUrl: string;
  stateUrl: string;
  /** Where outcomes are reported, as a real service would (POST /api/v1/metrics). */
  ingestUrl: string;
  token: string;
  /** Requests per second of each running version. */
  rate: number;
  /** How long the old version keeps serving after the deploy is marked (a rolling deploy). */
  drainSeconds: number;
  log?: (line: string) => void;
}

const SERVICE = 'demo-web';

/**
 * The demo's two app versions against demo.leads: v1 uses user_email, v2 contact_email. v1
 * serves until the rename's deploy is marked and then drains; v2 serves from the deploy on.
 * Every request's outcome goes to the ingest API every 10 s, so the demo's legacy reads and
 * error rates come from real traffic.
 */
export function startDemoTraffic(options: DemoTrafficOptions): { stop: () => Promise<void>; running: () => string[] } {
  const target = new pg.Pool({ connectionString: options.targetUrl, max: 8, application_name: 'demo-web' });
  target.on('error', () => {});
  const state = new pg.Pool({ connectionString: options.stateUrl, max: 1, application_name: 'expand-contract-demo' });
  state.on('error', () => {});
  const apps: Partial<Record<'v1' | 'v2', SimulatedApp>> = {};
  const reported: Partial<Record<'v1' | 'v2', AppOutcomes>> = {};
  const retired: Partial<Record<'v1' | 'v2', AppOutcomes>> = {};
  let batch = 0;
  const runId = Date.now().toString(36);

  const decide = async () => {
    const columns = await target.query<{ c: string }>("SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'leads'");
    const has = (c: string) => columns.rows.some((r) => r.c === c);
    const { rows } = await state.query(
      `SELECT status, deployed_at FROM expand_contract.migrations
        WHERE spec->>'kind' = 'rename-column' AND spec->>'table' = 'leads' AND spec->>'column' = 'user_email' AND title NOT LIKE '2am replay%'
        ORDER BY id DESC LIMIT 1`,
    );
    const m = rows[0] as { status: string; deployed_at: Date | null } | undefined;
    const rolledBack = m?.status === 'rolled_back';
    const deployed = !!m?.deployed_at && !rolledBack;
    const drained = deployed && Date.now() - m!.deployed_at!.getTime() > options.drainSeconds * 1000;
    const count = Number((await target.query('SELECT max(id) AS n FROM public.leads')).rows[0].n ?? 1);
    const want = { v1: has('user_email') && !drained, v2: has('contact_email') && deployed };
    for (const version of ['v1', 'v2'] as const) {
      if (want[version] && !apps[version]) {
        delete reported[version]; // a new instance counts from zero
        apps[version] = startApp(target, { table: 'leads', column: version === 'v1' ? 'user_email' : 'contact_email', ratePerSecond: options.rate, rows: count, name: `demo-${version}` });
        options.log?.(`demo traffic: ${version} started`);
      } else if (!want[version] && apps[version]) {
        const app = apps[version]!;
        delete apps[version];
        retired[version] = await app.stop();
        options.log?.(`demo traffic: ${version} stopped (drained)`);
      }
    }
  };

  const report = async () => {
    const now = new Date().toISOString();
    const points = [];
    for (const version of ['v1', 'v2'] as const) {
      const current = apps[version]?.outcomes() ?? retired[version];
      if (!current) continue;
      const before = reported[version] ?? { requests: 0, errors: 0, bySqlstate: {}, perSecond: [] };
      const requests = current.requests - before.requests;
      if (requests <= 0) continue;
      const errors = current.errors - before.errors;
      points.push({ service: SERVICE, version, timestamp: now, requests, errors });
      reported[version] = current;
      if (!apps[version]) delete retired[version];
    }
    if (points.length === 0) return;
    batch += 1;
    const res = await fetch(options.ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ batchId: `demo-${runId}-${batch}`, points }),
    });
    if (!res.ok) options.log?.(`demo traffic: ingest answered ${res.status}`);
  };

  const tick = (fn: () => Promise<void>) => () => void fn().catch((e: Error) => options.log?.(`demo traffic: ${e.message}`));
  tick(decide)();
  const decider = setInterval(tick(decide), 2000);
  const reporter = setInterval(tick(report), 10_000);
  return {
    running: () => Object.keys(apps),
    stop: async () => {
      clearInterval(decider);
      clearInterval(reporter);
      for (const app of Object.values(apps)) await app?.stop();
      await target.end().catch(() => {});
      await state.end().catch(() => {});
    },
  };
}
