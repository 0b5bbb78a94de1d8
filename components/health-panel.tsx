import type { Health, Probe } from '@/lib/data/get-health';
import type { DatabaseInfo } from '@/lib/db/probe-database';
import type { StatStatementsStatus } from '@/lib/db/probe-stat-statements';
import { formatBytes } from './format';
import { SampledServersCard } from './sampled-servers-card';
import { StatusBadge } from './status-badge';

const SOURCE_LABEL: Record<string, string> = {
  embedded: 'embedded',
  'embedded-demo': 'embedded demo',
  external: 'external',
};

function Card({ title, testId, badge, children }: { title: string; testId: string; badge: React.ReactNode; children: React.ReactNode }) {
  return (
    <section data-testid={testId} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="mb-3 flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-700">{title}</h3>
        {badge}
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">{children}</dl>
    </section>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 truncate font-mono text-xs leading-5 text-slate-800">{children}</dd>
    </>
  );
}

function DatabaseRows({ probe, where, source }: { probe: Probe<DatabaseInfo>; where: string | null; source: string }) {
  return (
    <>
      <Row label="where">{where ?? 'not configured'}</Row>
      <Row label="source">{SOURCE_LABEL[source] ?? source}</Row>
      {probe.ok ? (
        <>
          <Row label="version">PostgreSQL {probe.value.serverVersion}</Row>
          <Row label="size">{formatBytes(probe.value.sizeBytes)}</Row>
          <Row label="round trip">{probe.value.latencyMs} ms</Row>
        </>
      ) : (
        <Row label="error">
          <span className="text-rose-700">{probe.error}</span>
        </Row>
      )}
    </>
  );
}

function statStatementsBadge(p: Probe<StatStatementsStatus>) {
  if (!p.ok) return <StatusBadge status="error">unknown</StatusBadge>;
  return p.value.state === 'ready' ? <StatusBadge status="ok">available</StatusBadge> : <StatusBadge status="warn">{p.value.state}</StatusBadge>;
}

export function HealthPanel({ health, lagCeilingSeconds = 1 }: { health: Health; lagCeilingSeconds?: number }) {
  const { state, target } = health;
  const stateOk = state.database.ok && state.migrations.ok && state.migrations.value.pending.length === 0;
  return (
    <div className="grid gap-4 md:grid-cols-3">
      <Card
        title="State database"
        testId="health-state"
        badge={
          <StatusBadge status={stateOk ? 'ok' : state.database.ok ? 'warn' : 'error'}>
            {state.database.ok ? (stateOk ? 'connected' : 'needs migration') : 'unreachable'}
          </StatusBadge>
        }
      >
        <DatabaseRows probe={state.database} where={state.where} source={state.source} />
        {state.migrations.ok && (
          <Row label="schema">
            <span className="whitespace-normal break-all">
              {state.migrations.value.applied} migration(s), latest {state.migrations.value.latest ?? 'none'}
            </span>
            {state.migrations.value.pending.length > 0 && (
              <span className="block text-amber-700">pending: {state.migrations.value.pending.join(', ')} (run `expand-contract migrate`)</span>
            )}
          </Row>
        )}
        {state.timeZone && <Row label="team time zone">{state.timeZone}</Row>}
      </Card>
      <Card
        title="Target database"
        testId="health-target"
        badge={<StatusBadge status={target.database.ok ? 'ok' : 'error'}>{target.database.ok ? 'connected' : 'unreachable'}</StatusBadge>}
      >
        <DatabaseRows probe={target.database} where={target.where} source={target.source} />
      </Card>
      <Card title="pg_stat_statements on target" testId="health-stat-statements" badge={statStatementsBadge(target.statStatements)}>
        {target.statStatements.ok ? (
          target.statStatements.value.state === 'ready' ? (
            <>
              <Row label="schema">{target.statStatements.value.schema}</Row>
              <Row label="use">legacy-column reads can be measured</Row>
            </>
          ) : (
            <Row label="fix">
              <span className="whitespace-normal text-amber-800">{target.statStatements.value.fix}</span>
            </Row>
          )
        ) : (
          <Row label="error">
            <span className="text-rose-700">{target.statStatements.error}</span>
          </Row>
        )}
      </Card>
      <SampledServersCard servers={target.servers} lagCeilingSeconds={lagCeilingSeconds} now={health.checkedAt} />
    </div>
  );
}
