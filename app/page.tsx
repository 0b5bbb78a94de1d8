import { connection } from 'next/server';
import { HealthPanel } from '@/components/health-panel';
import { SchemaTables } from '@/components/schema-tables';
import { WaitingForYou } from '@/components/waiting-for-you';
import { parseEnv } from '@/lib/config/env';
import { getHealth } from '@/lib/data/get-health';
import { getWaitingForYou } from '@/lib/data/get-waiting-for-you';
import { redactSecrets } from '@/lib/db/connection-url';
import { introspectSchema } from '@/lib/db/introspect-schema';
import { withoutProductTables } from '@/lib/migrations/product-tables';
import { targetPool } from '@/lib/db/pools';
import { version } from '@/package.json';
import { requireActor } from '@/lib/auth/current-actor';
import { WeekTimeline } from '@/components/week-timeline';
import { getTimeline } from '@/lib/data/get-timeline';
import { statePool } from '@/lib/db/pools';
import { parseWeek, weekParam, weekStart } from '@/lib/timeline/team-week';
import { layoutWeek } from '@/lib/timeline/week-layout';
import { filterTimeline, parseTimelineFilter, timelineTables } from '@/lib/timeline/filter-timeline';

export default async function HomePage({ searchParams }: { searchParams: Promise<{ week?: string; who?: string; table?: string; waiting?: string }> }) {
  await connection(); // always live: this page reads both databases on every request
  const actor = await requireActor();
  const now = new Date();
  const params = await searchParams;
  const env = parseEnv(process.env);
  const schemas = env.EC_TARGET_SCHEMAS;
  const [timeline, health, snapshot, waiting] = await Promise.all([
    getTimeline(statePool(), now),
    getHealth(),
    // The product's own tables (a contract's archive) are not the team's schema: never offered, never listed.
    introspectSchema(targetPool(), schemas).then(
      (value) => ({ ok: true as const, value: withoutProductTables(value) }),
      (error: Error) => ({ ok: false as const, error: redactSecrets(error.message) }),
    ),
    getWaitingForYou(statePool(), targetPool(), actor, now),
  ]);
  const tz = timeline.timeZone;
  const monday = parseWeek(params.week, tz) ?? weekStart(now, tz);
  const filter = parseTimelineFilter(params);
  const kept = filterTimeline(timeline.migrations, filter, { email: actor.email, waiting: waiting.map((w) => w.migrationId) });
  const layout = layoutWeek(monday, tz, now, kept);
  const shift = (weeks: number) => weekParam(weekStart(new Date(monday.getTime() + weeks * 7 * 86_400_000 + 12 * 3_600_000), tz), tz);
  // The page as it is, with the waiting list cut or whole: the week and the filter stay as they were.
  const withWaiting = (all: boolean) => {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'waiting'));
    if (all) q.set('waiting', 'all');
    return q.size > 0 ? `/?${q}` : '/';
  };
  return (
    <div className="space-y-10">
      <WaitingForYou items={waiting} all={params.waiting === 'all'} allHref={withWaiting(true)} fewerHref={withWaiting(false)} />
      <WeekTimeline
        layout={layout}
        timeZone={tz}
        week={weekParam(monday, tz)}
        prevWeek={shift(-1)}
        nextWeek={shift(1)}
        thisWeek={weekParam(weekStart(now, tz), tz)}
        filter={filter}
        tables={timelineTables(timeline.migrations)}
        rules={timeline.rules}
        shown={{ of: timeline.migrations.length, kept: kept.length }}
      />
      <section>
        <h2 className="text-xl font-semibold tracking-tight">Health</h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Checked on every load of this page. Dashboard {version} on Node {health.node}.
        </p>
        <HealthPanel health={health} lagCeilingSeconds={env.EC_REPLICA_LAG_CEILING_SECONDS} />
      </section>
      <section>
        <h2 className="text-xl font-semibold tracking-tight">Target schema</h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Tables and columns read from the target&apos;s catalog (schema{schemas.length > 1 ? 's' : ''} {schemas.join(', ')}).
        </p>
        {snapshot.ok ? (
          <SchemaTables snapshot={snapshot.value} />
        ) : (
          <p className="rounded-lg border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800">Could not read the target schema: {snapshot.error}</p>
        )}
      </section>
    </div>
  );
}
