import pg from 'pg';
import { watchConnection } from '../db/watch-connection';
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
interface Flow {
  /** apps key prefix and the route reported with its outcomes */
  route: 'leads' | 'orders';
  /** The change that moves this flow from v1 to v2, as found in the state database. */
  migrationSql: string;
  v1: { column: string; work?: (pool: pg.Pool, n: number, id: number) => Promise<unknown> };
  v2: (spec: Record<string, string>) => { column: string; work?: (pool: pg.Pool, n: number, id: number) => Promise<unknown> };
}

const STATUSES = ['pending', 'processing', 'completed', 'cancelled'];

const FLOWS: Flow[] = [
  {
    route: 'leads',
    migrationSql: `SELECT spec, status, deployed_at FROM expand_contract.migrations
      WHERE spec->>'kind' = 'rename-column' AND spec->>'table' = 'leads' AND spec->>'column' = 'user_email' AND NOT seeded AND title NOT LIKE '2am replay%'
      ORDER BY id DESC LIMIT 1`,
    v1: { column: 'user_email' },
    v2: (spec) => ({ column: spec.newName ?? 'contact_email' }),
  },
  {
    // Orders by status: text in v1, the integer column of a type change in v2.
    route: 'orders',
    migrationSql: `SELECT spec, status, deployed_at FROM expand_contract.migrations
      WHERE spec->>'kind' = 'change-type' AND spec->>'table' = 'orders' AND spec->>'column' = 'status' AND NOT seeded
      ORDER BY id DESC LIMIT 1`,
    v1: {
      column: 'status',
      work: (pool, n, id) =>
        n % 4 === 0
          ? pool.query('UPDATE public.orders SET status = $1 WHERE id = $2', [STATUSES[n % STATUSES.length], id])
          : pool.query('SELECT status FROM public.orders WHERE id = $1', [id]),
    },
    v2: (spec) => {
      const column = spec.newColumn ?? 'status_code';
      const q = `"${column.replace(/"/g, '""')}"`;
      return {
        column,
        work: (pool, n, id) =>
          n % 4 === 0
            ? pool.query(`UPDATE public.orders SET ${q} = $1 WHERE id = $2`, [1 + (n % 4), id])
            : pool.query(`SELECT ${q} FROM public.orders WHERE id = $1`, [id]),
      };
    },
  },
];

/**
 * The demo's two app versions: v1 reads and writes leads through user_email and orders by
 * their text status; v2 uses the new columns of the changes under way (contact_email, the
 * integer status). For each change, v1 serves until its deploy is marked and drains 30 s
 * later; v2 serves from the deploy on. Every request's outcome goes to the ingest API every
 * 10 s, so the demo's legacy reads and error rates come from real traffic.
 */
export function startDemoTraffic(options: DemoTrafficOptions): { stop: () => Promise<void>; running: () => string[] } {
  const target = new pg.Pool({ connectionString: options.targetUrl, max: 8, application_name: 'demo-web' });
  watchConnection(target, 'target', options.targetUrl, options.log);
  const state = new pg.Pool({ connectionString: options.stateUrl, max: 1, application_name: 'expand-contract-demo' });
  watchConnection(state, 'state', options.stateUrl, options.log);
  const apps = new Map<string, SimulatedApp>();
  const reported = new Map<string, AppOutcomes>();
  const retired = new Map<string, AppOutcomes>();
  let batch = 0;
  const runId = Date.now().toString(36);

  const decide = async () => {
    for (const flow of FLOWS) {
      const table = flow.route;
      const columns = await target.query<{ c: string }>(
        "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [table],
      );
      const has = (c: string) => columns.rows.some((r) => r.c === c);
      const m = (await state.query(flow.migrationSql)).rows[0] as { spec: Record<string, string>; status: string; deployed_at: Date | null } | undefined;
      const deployed = !!m?.deployed_at && m.status !== 'rolled_back';
      const drained = deployed && Date.now() - m!.deployed_at!.getTime() > options.drainSeconds * 1000;
      const v2 = m ? flow.v2(m.spec) : null;
      const rows = Number((await target.query(`SELECT max(id) AS n FROM public.${table}`)).rows[0].n ?? 1);
      const want: Record<'v1' | 'v2', { column: string; work?: Flow['v1']['work'] } | null> = {
        v1: has(flow.v1.column) && !drained ? flow.v1 : null,
        v2: v2 && deployed && has(v2.column) ? v2 : null,
      };
      for (const version of ['v1', 'v2'] as const) {
        const key = `${table}:${version}`;
        const spec = want[version];
        if (spec && !apps.has(key)) {
          reported.delete(key); // a new instance counts from zero
          apps.set(key, startApp(target, { table, column: spec.column, work: spec.work, ratePerSecond: options.rate, rows, name: `demo-${version}` }));
          options.log?.(`demo traffic: ${version} on ${table} started`);
        } else if (!spec && apps.has(key)) {
          const app = apps.get(key)!;
          apps.delete(key);
          retired.set(key, await app.stop());
          options.log?.(`demo traffic: ${version} on ${table} stopped (drained)`);
        }
      }
    }
  };

  const report = async () => {
    const now = new Date().toISOString();
    const points = [];
    for (const key of new Set([...apps.keys(), ...retired.keys()])) {
      const current = apps.get(key)?.outcomes() ?? retired.get(key);
      if (!current) continue;
      const before = reported.get(key) ?? { requests: 0, errors: 0, bySqlstate: {}, perSecond: [] };
      const requests = current.requests - before.requests;
      if (requests > 0) {
        const [route, version] = key.split(':') as [string, string];
        points.push({ service: SERVICE, version, route, timestamp: now, requests, errors: Math.max(0, current.errors - before.errors) });
        reported.set(key, current);
      }
      if (!apps.has(key)) retired.delete(key);
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

  // One decision or report at a time: a slow one is never overlapped by the next tick.
  const busy = new Set<() => Promise<void>>();
  const tick = (fn: () => Promise<void>) => () => {
    if (busy.has(fn)) return;
    busy.add(fn);
    void fn()
      .catch((e: Error) => options.log?.(`demo traffic: ${e.message}`))
      .finally(() => busy.delete(fn));
  };
  tick(decide)();
  const decider = setInterval(tick(decide), 2000);
  const reporter = setInterval(tick(report), 10_000);
  return {
    running: () => [...apps.keys()],
    stop: async () => {
      clearInterval(decider);
      clearInterval(reporter);
      for (const app of apps.values()) await app.stop();
      await target.end().catch(() => {});
      await state.end().catch(() => {});
    },
  };
}
