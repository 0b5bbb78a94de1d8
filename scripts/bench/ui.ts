// Server time of the two pages people keep open, on the production build: a migration page whose
// five services reported every minute for the 30 days since its expand, and the home timeline with
// 200 migrations over 8 weeks. Each page's p50/p95 over sequential requests, against /api/health in
// the same run and the same rounds (the machines are shared: only the ratio travels well).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { weekParam, weekStart } from '../../lib/timeline/team-week';
import { startBenchDashboard } from './start-dashboard';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const WARMUPS = Number(process.env.BENCH_WARMUPS ?? 5);
/** Who is signed in: the person on call is the one who keeps both pages open. */
const AS = process.env.BENCH_AS ?? 'oncall@demo.local';
/** Break a page's server time down by query (pg_stat_statements): 1 every page, 0 none, unset the pages that miss their goal. */
const PROFILE = process.env.BENCH_PROFILE;
const PROFILE_REQUESTS = 10;
const SERVICES = ['bench-checkout', 'bench-search', 'bench-billing', 'bench-accounts', 'bench-notify'];
const DAYS = 30;
const TIMELINE_MIGRATIONS = 200;

const note = (line: string) => process.stderr.write(`bench: ${line}\n`);
const emit = (figure: string, value: number, unit: string, extra: object = {}) =>
  console.log(JSON.stringify({ bench: 'ui', figure, value: Number(value.toFixed(3)), unit, ...extra }));

interface Seeded {
  migrationId: number;
  metricRows: number;
  timelineMigrations: number;
  timelineRuns: number;
  /** A migration the timeline must draw in the week before this one: proof the timed page is not empty. */
  lastWeekMigrationId: number;
}

/**
 * The data, written straight into the state database with set-based SQL. Both copy the plan, spec and
 * target of the demo's own seeded history, so the pages render real plans against the demo target.
 */
async function seed(state: pg.Pool): Promise<Seeded> {
  const heavy = await state.query<{ id: string }>(
    `WITH "src" AS (SELECT * FROM "expand_contract"."migrations" WHERE "seeded" AND "status" = 'backfilled' ORDER BY "id" LIMIT 1),
          "t" AS (SELECT date_trunc('minute', now()) - make_interval(days => $2) AS "expand_at")
     INSERT INTO "expand_contract"."migrations" ("plan_id", "slug", "title", "spec", "plan", "target", "target_identity", "status", "author_id",
                 "created_by", "created_at", "updated_at", "schedule", "deployed_at", "deployed_by", "services")
     SELECT "src"."plan_id" || '.bench-30-days', "src"."slug" || '-bench-30-days', "src"."title" || ' (30 days, 5 services)', "src"."spec", "src"."plan",
            "src"."target", "src"."target_identity", 'backfilled', "src"."author_id", "src"."created_by", "t"."expand_at" - interval '3 days', now(),
            jsonb_build_object('expandAt', "t"."expand_at", 'deployAt', "t"."expand_at" + interval '4 hours',
                               'monitorFrom', "t"."expand_at" + interval '1 day', 'contractAt', now() + interval '1 day'),
            "t"."expand_at" + interval '4 hours', 'author@demo.local', $1::text[]
       FROM "src", "t"
     RETURNING "id"`,
    [SERVICES, DAYS],
  );
  if (!heavy.rows[0]) throw new Error('the demo has no seeded migration in monitoring to copy: did the embedded demo seed its history?');
  const migrationId = Number(heavy.rows[0].id);
  await state.query(
    `INSERT INTO "expand_contract"."phase_runs" ("migration_id", "phase", "status", "source", "actor", "started_at", "finished_at")
     SELECT $1, "r"."phase", 'succeeded', 'executor', 'bench', "m"."at" + "r"."after", "m"."at" + "r"."after" + "r"."took"
       FROM (SELECT ("schedule" ->> 'expandAt')::timestamptz AS "at" FROM "expand_contract"."migrations" WHERE "id" = $1) "m",
            (VALUES ('expand', interval '0', interval '1 minute'), ('backfill', interval '3 minutes', interval '2 minutes'),
                    ('verify', interval '12 minutes', interval '1 minute')) "r" ("phase", "after", "took")`,
    [migrationId],
  );
  await state.query(
    `INSERT INTO "expand_contract"."backfills" ("migration_id", "status", "rows_scanned", "rows_changed", "batches", "batch_size", "estimated_total",
                 "rows_per_second", "started_at", "updated_at", "finished_at")
     SELECT "id", 'done', 20000, 20000, 4, 5000, 20000, 150000, "at" + interval '3 minutes', "at" + interval '5 minutes', "at" + interval '5 minutes'
       FROM (SELECT "id", ("schedule" ->> 'expandAt')::timestamptz AS "at" FROM "expand_contract"."migrations" WHERE "id" = $1) "m"`,
    [migrationId],
  );
  // Every minute from the hour before the expand (the baseline) to the last full minute, per service:
  // ~0.2% errors with a weekly-ish wobble in traffic, so downsampling has real numbers to fold.
  const metrics = await state.query(
    `INSERT INTO "expand_contract"."metric_minutes" ("source", "service", "minute", "version", "sqlstate", "requests", "errors")
     SELECT 'app', "s", "m", 'v1', '', 600 + (extract(epoch FROM "m")::bigint / 60) % 97, CASE WHEN extract(minute FROM "m")::int % 7 = 0 THEN 3 ELSE 1 END
       FROM unnest($1::text[]) "s",
            generate_series(date_trunc('minute', now()) - make_interval(days => $2) - interval '1 hour', date_trunc('minute', now()) - interval '1 minute',
                            interval '1 minute') "m"`,
    [SERVICES, DAYS],
  );

  // 200 migrations, 25 a week from 4 weeks back to 3 ahead, at different days and hours: the weeks
  // behind contracted (one in ten rolled back), this week's in monitoring once their expand time has
  // passed, the rest planned. Each run of the week behind is one the timeline draws.
  const timeline = await state.query<{ id: string; week: number; runs: number }>(
    `WITH "src" AS (SELECT * FROM "expand_contract"."migrations" WHERE "seeded" AND "status" = 'contracted' ORDER BY "id" LIMIT 1),
          "tz" AS (SELECT coalesce((SELECT "value" #>> '{}' FROM "expand_contract"."settings" WHERE "key" = 'team_time_zone'), 'UTC') AS "zone"),
          "n" AS (SELECT "i", "i" / 25 - 4 AS "week",
                         date_trunc('week', now(), "tz"."zone") + ("i" / 25 - 4) * interval '7 days' + ("i" % 5) * interval '1 day'
                           + interval '9 hours' + ("i" % 25 / 5) * interval '90 minutes' AS "at"
                    FROM generate_series(0, $1 - 1) "i", "tz"),
          "s" AS (SELECT "n".*, CASE WHEN "n"."week" < 0 THEN (CASE WHEN "n"."i" % 10 = 3 THEN 'rolled_back' ELSE 'contracted' END)
                                     WHEN "n"."at" < now() - interval '15 minutes' THEN 'backfilled' ELSE 'planned' END AS "status",
                         ("n"."week" < 0 AND "n"."i" % 10 <> 3) OR ("n"."week" >= 0 AND "n"."at" + interval '4 hours' < now()) AS "deployed"
                    FROM "n"),
          "ins" AS (
            INSERT INTO "expand_contract"."migrations" ("plan_id", "slug", "title", "spec", "plan", "target", "target_identity", "status", "author_id",
                        "created_by", "created_at", "updated_at", "schedule", "deployed_at", "deployed_by")
            SELECT "src"."plan_id" || '.bench-' || "s"."i", "src"."slug" || '-bench-' || "s"."i", "src"."title" || ' #' || ("s"."i" + 1), "src"."spec",
                   "src"."plan", "src"."target", "src"."target_identity", "s"."status", "src"."author_id", "src"."created_by",
                   "s"."at" - interval '3 days', "s"."at",
                   jsonb_build_object('expandAt', "s"."at", 'deployAt', "s"."at" + interval '4 hours', 'monitorFrom', "s"."at" + interval '1 day',
                                      'contractAt', "s"."at" + interval '3 days'),
                   CASE WHEN "s"."deployed" THEN "s"."at" + interval '4 hours' END, CASE WHEN "s"."deployed" THEN 'author@demo.local' END
              FROM "src", "s"
            RETURNING "id", "status", ("schedule" ->> 'expandAt')::timestamptz AS "at"),
          "runs" AS (
            INSERT INTO "expand_contract"."phase_runs" ("migration_id", "phase", "status", "source", "actor", "started_at", "finished_at")
            SELECT "ins"."id", "r"."phase", 'succeeded', 'executor', 'bench', "ins"."at" + "r"."after", "ins"."at" + "r"."after" + interval '1 minute'
              FROM "ins"
              JOIN (VALUES ('expand', interval '0', NULL), ('backfill', interval '3 minutes', NULL), ('verify', interval '12 minutes', NULL),
                           ('rollback', interval '5 hours', 'rolled_back'), ('contract', interval '3 days', 'contracted')) "r" ("phase", "after", "only")
                ON "ins"."status" <> 'planned' AND ("r"."only" IS NULL OR "r"."only" = "ins"."status")
            RETURNING "migration_id")
     SELECT "ins"."id", (SELECT "s"."week" FROM "s" WHERE "s"."at" = "ins"."at" LIMIT 1) AS "week",
            (SELECT count(*) FROM "runs")::int AS "runs"
       FROM "ins"`,
    [TIMELINE_MIGRATIONS],
  );
  // Autovacuum would analyze tables this size within a minute: plan the pages' queries on real statistics.
  await state.query(
    'ANALYZE "expand_contract"."metric_minutes", "expand_contract"."metric_hours", "expand_contract"."migrations", "expand_contract"."phase_runs"',
  );
  const lastWeek = timeline.rows.find((r) => r.week === -1);
  if (!lastWeek) throw new Error('no seeded migration falls in last week');
  return {
    migrationId,
    metricRows: metrics.rowCount ?? 0,
    timelineMigrations: timeline.rows.length,
    timelineRuns: Number(timeline.rows[0]!.runs),
    lastWeekMigrationId: Number(lastWeek.id),
  };
}

/** Entities in the sign-in page's hidden fields, as React writes them. */
const decodeHtml = (v: string) => v.replace(/&(quot|#x27|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', '#x27': "'", lt: '<', gt: '>', amp: '&' })[e]!);

/** Signs in through the sign-in form's action over HTTP, as a browser without JavaScript posts it, and returns the session cookie. */
async function signIn(base: string, dataRoot: string): Promise<string> {
  const page = await fetch(`${base}/sign-in`);
  const html = await page.text();
  const form = new FormData();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g))
    form.append(decodeHtml(name!), decodeHtml(value ?? ''));
  const users = JSON.parse(await fs.readFile(path.join(dataRoot, 'demo-users.json'), 'utf8')) as { email: string; password: string }[];
  const user = users.find((u) => u.email === AS);
  if (!user) throw new Error(`no demo account ${AS} in demo-users.json (${users.map((u) => u.email).join(', ')})`);
  form.append('email', user.email);
  form.append('password', user.password);
  const res = await fetch(`${base}/sign-in`, { method: 'POST', body: form, headers: { origin: base }, redirect: 'manual' });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('ec_session='));
  if (!session) throw new Error(`signing in as ${AS} set no session cookie (answered ${res.status})`);
  return session.split(';')[0]!;
}

interface Target {
  name: string;
  path: string;
  goalMs?: number;
  /** What the body must contain, or the figures would time the wrong page. */
  expect?: string;
  /** 404 (a parameter the page does not have yet) is reported, not fatal. */
  optional?: boolean;
}

/** One GET to the end of its body (server time: the page streams until its last query is done). */
async function timeGet(base: string, cookie: string, target: Target): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const res = await fetch(base + target.path, { headers: { cookie }, redirect: 'manual' });
  const body = await res.text();
  return { ms: performance.now() - started, status: res.status, body };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Warm-ups, then REQUESTS rounds; each round asks every page once in turn, so load from others on the machine falls on all of them alike. */
async function measure(base: string, cookie: string, targets: Target[]) {
  const live: Target[] = [];
  const absent: { target: Target; status: number }[] = [];
  for (const t of targets) {
    const first = await timeGet(base, cookie, t);
    if (first.status === 404 && t.optional) {
      absent.push({ target: t, status: first.status });
      continue;
    }
    if (first.status !== 200) throw new Error(`${t.path} answered ${first.status}${first.status === 307 ? ' (not signed in?)' : ''}`);
    if (t.expect && !first.body.includes(t.expect)) throw new Error(`${t.path} does not show ${t.expect}: the figures would time the wrong page`);
    for (let i = 1; i < WARMUPS; i += 1) await timeGet(base, cookie, t);
    live.push(t);
  }
  const times = new Map(live.map((t) => [t, [] as number[]]));
  const bytes = new Map(live.map((t) => [t, 0]));
  for (let round = 0; round < REQUESTS; round += 1) {
    for (const t of live) {
      const r = await timeGet(base, cookie, t);
      if (r.status !== 200) throw new Error(`${t.path} answered ${r.status} in round ${round + 1}`);
      times.get(t)!.push(r.ms);
      bytes.set(t, r.body.length);
    }
    if ((round + 1) % 10 === 0 && round + 1 < REQUESTS) note(`${round + 1} of ${REQUESTS} rounds`);
  }
  return {
    absent,
    results: live.map((t) => {
      const sorted = times.get(t)!.sort((a, b) => a - b);
      return { target: t, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1)!, bytes: bytes.get(t)! };
    }),
  };
}

interface StatementRow {
  key: string;
  datname: string;
  query: string;
  calls: number;
  ms: number;
  rows: number;
}

async function statements(state: pg.Pool): Promise<Map<string, StatementRow>> {
  const { rows } = await state.query<StatementRow>(
    `SELECT "s"."dbid"::text || ':' || "s"."queryid"::text AS "key", "d"."datname", "s"."query", "s"."calls"::float8 AS "calls",
            "s"."total_exec_time"::float8 AS "ms", "s"."rows"::float8 AS "rows"
       FROM "bench_profile"."pg_stat_statements" "s" JOIN "pg_database" "d" ON "d"."oid" = "s"."dbid"`,
  );
  return new Map(rows.map((r) => [r.key, r]));
}

/**
 * Where a page's server time goes: the statements its requests ran (both databases), per request,
 * from pg_stat_statements before and after PROFILE_REQUESTS requests of that page alone.
 */
async function profile(state: pg.Pool, base: string, cookie: string, target: Target) {
  await state.query('CREATE SCHEMA IF NOT EXISTS "bench_profile"');
  await state.query('CREATE EXTENSION IF NOT EXISTS "pg_stat_statements" SCHEMA "bench_profile"');
  const before = await statements(state);
  let pageMs = 0;
  for (let i = 0; i < PROFILE_REQUESTS; i += 1) pageMs += (await timeGet(base, cookie, target)).ms;
  const after = await statements(state);
  const diff = [...after.values()]
    .map((a) => {
      const b = before.get(a.key);
      return { ...a, calls: a.calls - (b?.calls ?? 0), ms: a.ms - (b?.ms ?? 0), rows: a.rows - (b?.rows ?? 0) };
    })
    // The profile's own snapshot is not the page's.
    .filter((s) => s.calls > 0 && !s.query.includes('"bench_profile"'))
    .sort((x, y) => y.ms - x.ms);
  const per = (n: number) => Number((n / PROFILE_REQUESTS).toFixed(2));
  const sqlMs = diff.reduce((n, s) => n + s.ms, 0);
  emit(`${target.name}_profile_sql_share`, sqlMs / pageMs, 'ratio', {
    page_ms_per_request: per(pageMs),
    sql_ms_per_request: per(sqlMs),
    statements_per_request: per(diff.reduce((n, s) => n + s.calls, 0)),
    requests: PROFILE_REQUESTS,
    // pg_stat_statements cannot tell callers apart: the demo's traffic simulator's statements on the target count too.
    includes: 'the demo traffic simulator on the demo target',
  });
  for (const s of diff.slice(0, 8)) {
    emit(`${target.name}_profile_query_ms`, s.ms / PROFILE_REQUESTS, 'ms', {
      database: s.datname,
      calls_per_request: per(s.calls),
      rows_per_request: per(s.rows),
      query: s.query.replace(/\s+/g, ' ').slice(0, 240),
    });
  }
}

async function main() {
  const dashboard = await startBenchDashboard('ui', note);
  const { dataRoot } = dashboard;
  try {
    const state = dashboard.state(2);
    note(`seeding ${DAYS} days of per-minute data for ${SERVICES.length} services and ${TIMELINE_MIGRATIONS} migrations over 8 weeks`);
    const seededAt = performance.now();
    const seeded = await seed(state);
    note(
      `seeded in ${Math.round(performance.now() - seededAt)} ms: migration ${seeded.migrationId} with ${seeded.metricRows} metric minutes; ` +
        `${seeded.timelineMigrations} migrations with ${seeded.timelineRuns} phase runs`,
    );
    const { rows: zone } = await state.query<{ tz: string }>(
      `SELECT coalesce((SELECT "value" #>> '{}' FROM "expand_contract"."settings" WHERE "key" = 'team_time_zone'), 'UTC') AS "tz"`,
    );
    const tz = zone[0]!.tz;
    const lastWeek = weekParam(weekStart(new Date(Date.now() - 7 * 86_400_000), tz), tz);

    const { base } = dashboard;
    const cookie = await signIn(base, dataRoot);
    const page = `/migrations/${seeded.migrationId}`;
    const targets: Target[] = [
      { name: 'health', path: '/api/health' },
      { name: 'migration_page', path: page, goalMs: 300, expect: SERVICES[0] },
      { name: 'migration_page_7d', path: `${page}?range=7d`, goalMs: 300, expect: SERVICES[0], optional: true },
      { name: 'home_this_week', path: '/', goalMs: 200, expect: 'signed-in-as' },
      { name: 'home_last_week', path: `/?week=${lastWeek}`, goalMs: 200, expect: `/migrations/${seeded.lastWeekMigrationId}"` },
    ];
    note(`signed in as ${AS}; ${WARMUPS} warm-ups, then ${REQUESTS} rounds of sequential GETs: ${targets.map((t) => t.path).join(', ')}`);
    const { results, absent } = await measure(base, cookie, targets);
    const health = results.find((r) => r.target.name === 'health')!;
    // Whether the page offers a 7-day view at all: a parameter it ignores times the default view twice.
    const defaultBody = (await timeGet(base, cookie, targets[1]!)).body;
    const rangeOffered = defaultBody.includes('range=7d');
    const load = os.loadavg().map((l) => Number(l.toFixed(2)));
    for (const r of results) {
      const extra = {
        path: r.target.path,
        requests: REQUESTS,
        max_ms: Number(r.max.toFixed(1)),
        bytes: r.bytes,
        ...(r.target.name === 'migration_page_7d' ? { range_param: rangeOffered ? 'offered by the page' : 'not offered by the page (likely ignored)' } : {}),
      };
      emit(`${r.target.name}_p50_ms`, r.p50, 'ms', extra);
      const goal = r.target.goalMs;
      emit(`${r.target.name}_p95_ms`, r.p95, 'ms', goal ? { ...extra, goal_ms: goal, met: r.p95 <= goal, loadavg: load } : { ...extra, loadavg: load });
      if (r !== health)
        emit(`${r.target.name}_vs_health_p95_ratio`, r.p95 / health.p95, 'ratio', {
          health_p95_ms: Number(health.p95.toFixed(1)),
          baseline: '/api/health, same run, same rounds',
        });
    }
    for (const a of absent) emit(`${a.target.name}_p95_ms`, NaN, 'ms', { path: a.target.path, absent: `answered ${a.status}`, goal_ms: a.target.goalMs });
    emit('seeded_metric_minutes', seeded.metricRows, 'rows', { services: SERVICES.length, days: DAYS, migration: seeded.migrationId });
    emit('seeded_timeline_migrations', seeded.timelineMigrations, 'migrations', { weeks: 8, phase_runs: seeded.timelineRuns });

    for (const r of results) {
      const missed = r.target.goalMs !== undefined && r.p95 > r.target.goalMs;
      if (r.target.goalMs && PROFILE !== '0' && (PROFILE === '1' || missed)) {
        note(`profiling ${r.target.path} (${missed ? `p95 ${Math.round(r.p95)} ms > ${r.target.goalMs} ms` : 'BENCH_PROFILE=1'})`);
        await profile(state, base, cookie, r.target);
      }
    }
  } finally {
    await dashboard.stop();
  }
}

await main();
