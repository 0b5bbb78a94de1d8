import { connection } from 'next/server';
import { HealthPanel } from '@/components/health-panel';
import { SchemaTables } from '@/components/schema-tables';
import { parseEnv } from '@/lib/config/env';
import { getHealth } from '@/lib/data/get-health';
import { redactSecrets } from '@/lib/db/connection-url';
import { introspectSchema } from '@/lib/db/introspect-schema';
import { targetPool } from '@/lib/db/pools';
import { version } from '@/package.json';
import { requireActor } from '@/lib/auth/current-actor';

export default async function HomePage() {
  await connection(); // always live: this page reads both databases on every request
  await requireActor();
  const schemas = parseEnv(process.env).EC_TARGET_SCHEMAS;
  const [health, snapshot] = await Promise.all([
    getHealth(),
    introspectSchema(targetPool(), schemas).then(
      (value) => ({ ok: true as const, value }),
      (error: Error) => ({ ok: false as const, error: redactSecrets(error.message) }),
    ),
  ]);
  return (
    <div className="space-y-10">
      <section>
        <h1 className="text-2xl font-semibold tracking-tight">Health</h1>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Checked on every load of this page. Dashboard {version} on Node {health.node}.
        </p>
        <HealthPanel health={health} />
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
