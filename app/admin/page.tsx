import { connection } from 'next/server';
import { ScheduleRulesForm } from '@/components/admin/schedule-rules-form';
import { ReadReplicasForm } from '@/components/admin/read-replicas-form';
import { setReadReplicasAction } from './actions/set-read-replicas-action';
import { readReplicaHosts } from '@/lib/signals/target-servers';
import { parseEnv } from '@/lib/config/env';
import { hostOf } from '@/lib/db/connection-url';
import { setScheduleRulesAction } from './actions/set-schedule-rules-action';
import { scheduleRules } from '@/lib/state/propose-schedule-for';
import { StateStore } from '@/lib/state/state-store';
import { ActionForm } from '@/components/action-form';
import { TokenForm } from '@/components/token-form';
import { requireActor } from '@/lib/auth/current-actor';
import { permission } from '@/lib/lifecycle/permissions';
import { statePool } from '@/lib/db/pools';
import { listTokensAs } from '@/lib/data/manage-tokens';
import { tokenScopeWords } from '@/lib/auth/api-tokens';
import { getPeople } from '@/lib/data/get-people';
import { supabaseAuth } from '@/lib/auth/current-actor';
import { nextMondayNine } from '@/lib/auth/on-call';
import { PeopleSection } from '@/components/admin/people-section';
import { OnCallSection } from '@/components/admin/on-call-section';
import { addOnCallOverrideAction } from './actions/add-on-call-override-action';
import { createUserAction } from './actions/create-user-action';
import { removeOnCallOverrideAction } from './actions/remove-on-call-override-action';
import { setOnCallRotationAction } from './actions/set-on-call-rotation-action';
import { setUserDisabledAction } from './actions/set-user-disabled-action';
import { setUserRolesAction } from './actions/set-user-roles-action';
import { createTokenAction } from './actions/create-token-action';
import { revokeTokenAction } from './actions/revoke-token-action';
import { addWebhookAction } from './actions/add-webhook-action';
import { removeWebhookAction } from './actions/remove-webhook-action';
import { WebhooksSection } from '@/components/admin/webhooks-section';
import { webhooksView } from '@/lib/data/manage-webhooks';

export const metadata = { title: 'Admin · Expand/Contract' };

// Tailwind sees whole class names only: the columns are written out once, here.
const TOKEN_COLUMNS = 'sm:grid-cols-[minmax(0,1.2fr)_minmax(0,1.3fr)_minmax(0,1.2fr)_minmax(0,0.8fr)_7rem] sm:gap-3';
const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/**
 * Revoking stops every service using the token at once, so it takes a second, deliberate click:
 * the real button sits inside a disclosure, which works without JavaScript.
 */
function RevokeToken({ id }: { id: string }) {
  return (
    // Open, it takes a row of its own under the token, so the question has room on every screen.
    <details className="group min-w-0 sm:open:col-span-full" data-testid="revoke-token">
      <summary className="w-28 cursor-pointer list-none rounded border border-red-300 px-2 py-1 text-center text-xs font-medium text-red-800 hover:bg-red-50 group-open:bg-red-50 sm:ml-auto">
        Revoke…
      </summary>
      <div className="mt-2 space-y-2 rounded border border-red-200 bg-red-50 p-2 text-xs text-red-900">
        <p>
          Whatever uses token <span className="font-mono">{id}</span> (a service, a pipeline, a subscribed calendar) is refused from now on. This cannot be
          undone: it needs a new token.
        </p>
        <ActionForm action={revokeTokenAction} hidden={{ id }} label="Yes, revoke" danger />
      </div>
    </details>
  );
}

export default async function AdminPage() {
  await connection();
  const actor = await requireActor();
  const allowed = permission(actor, { kind: 'admin' });
  if (!allowed.ok) {
    return (
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Admin</h1>
        <p role="alert" className="text-sm text-red-800">
          {allowed.reason}.
        </p>
      </div>
    );
  }
  const tokens = await listTokensAs(statePool(), actor);
  const view = await getPeople(statePool(), actor);
  const hooks = await webhooksView(statePool(), actor);
  // Form defaults, in UTC as the page says: the rotation's next Monday 09:00, an override for the next day.
  const now = new Date();
  const hour = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
  const local = (d: Date) => d.toISOString().slice(0, 16);
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Admin</h1>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">API tokens</h2>
        <p className="text-sm text-slate-600">
          Shown once when created; only a SHA-256 of each is stored. Services send error rates with an ingest token, CD pipelines mark deploys with a deploy
          token, and a calendar token only reads the calendar feed of scheduled phases, for the team&apos;s calendar app.
        </p>
        <TokenForm action={createTokenAction} />
        <div className="rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="tokens">
          <div className={`hidden border-b border-slate-200 px-3 py-1.5 text-xs font-medium uppercase tracking-wide text-slate-500 sm:grid ${TOKEN_COLUMNS}`}>
            <span>Token</span>
            <span>Scope</span>
            <span>Created</span>
            <span>Last used</span>
            <span />
          </div>
          <ul className="divide-y divide-slate-100">
            {tokens.map((t) => (
              <li key={t.id} className={`grid grid-cols-1 gap-1 px-3 py-2 ${TOKEN_COLUMNS}`} data-testid="token-row">
                <span className="min-w-0 font-mono text-xs wrap-anywhere">
                  {t.id}
                  {t.label ? ` (${t.label})` : ''}
                </span>
                {/* A service is whatever text an admin typed: quotes and 100 characters stay inside their cell. */}
                <span className="min-w-0 wrap-anywhere sm:truncate" title={tokenScopeWords(t)}>
                  {tokenScopeWords(t)}
                </span>
                <span className="min-w-0 text-xs text-slate-600 wrap-anywhere">
                  {minute(t.createdAt)} by {t.createdBy}
                </span>
                <span className="min-w-0 text-xs text-slate-600">
                  {t.revokedAt ? `revoked ${minute(t.revokedAt)}` : t.lastUsedAt ? minute(t.lastUsedAt) : 'never used'}
                </span>
                {t.revokedAt ? <span /> : <RevokeToken id={t.id} />}
              </li>
            ))}
          </ul>
          {tokens.length === 0 && <p className="px-3 py-2 text-slate-600">No tokens yet.</p>}
        </div>
      </section>
      <WebhooksSection webhooks={hooks.webhooks} deliveries={hooks.deliveries} actions={{ add: addWebhookAction, remove: removeWebhookAction }} />
      <PeopleSection
        people={view.people}
        me={actor.email}
        supabaseAuth={supabaseAuth() !== null}
        actions={{ create: createUserAction, setRoles: setUserRolesAction, setDisabled: setUserDisabledAction }}
      />
      <section className="space-y-3" aria-labelledby="schedule-rules-heading">
        <h2 id="schedule-rules-heading" className="text-lg font-semibold">
          Schedule rules
        </h2>
        <p className="text-sm text-slate-600">
          How new migrations are proposed: the expand slots, how many expands a slot takes, the buffer before the contract and the days kept free of contracts.
          Two open changes of one table are never proposed in overlapping windows. Existing schedules keep their times.
        </p>
        <ScheduleRulesForm
          action={setScheduleRulesAction}
          rules={await scheduleRules(statePool())}
          timeZone={await new StateStore(statePool()).teamTimeZone()}
        />
      </section>
      <section className="space-y-3" aria-labelledby="read-replicas-heading">
        <h2 id="read-replicas-heading" className="text-lg font-semibold">
          Read replicas
        </h2>
        <p className="text-sm text-slate-600">
          pg_stat_statements counts only what each server runs: reads a replica serves are seen only on it. Every replica named here is sampled with the
          target&apos;s own login, and the contract waits until each one was watched for the whole window. The backfill also waits while any replica replays
          more than {parseEnv(process.env).EC_REPLICA_LAG_CEILING_SECONDS} s behind.
        </p>
        <ReadReplicasForm
          action={setReadReplicasAction}
          hosts={await readReplicaHosts(statePool())}
          fromEnvironment={parseEnv(process.env).TARGET_REPLICA_URLS.map(hostOf)}
        />
      </section>
      <OnCallSection
        view={view}
        defaults={{ startsAt: local(nextMondayNine(now)), from: local(hour), to: local(new Date(hour.getTime() + 86_400_000)) }}
        actions={{ setRotation: setOnCallRotationAction, addOverride: addOnCallOverrideAction, removeOverride: removeOnCallOverrideAction }}
      />
    </div>
  );
}
