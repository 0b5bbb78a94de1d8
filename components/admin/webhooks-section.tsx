import { ActionForm } from '@/components/action-form';
import { StatusBadge, type Status } from '@/components/status-badge';
import type { ActionState, FormAction } from '@/lib/actions/action-state';
import type { WebhookState } from '@/lib/actions/webhook-state';
import { WEBHOOK_EVENT_WORDS, WEBHOOK_EVENTS } from '@/lib/lifecycle/webhook-events';
import type { DeliveryListing, WebhookListing } from '@/lib/state/webhook-records';
import { WebhookForm } from './webhook-form';

const minute = (d: Date) => d.toISOString().slice(11, 19);
const TONE: Record<DeliveryListing['status'], Status> = { pending: 'info', sending: 'progress', delivered: 'ok', failed: 'error' };

/**
 * Who is told what: the webhooks (their host only: a URL can be the credential itself), and the
 * latest deliveries, each with its attempts and the receiver's last answer.
 */
export function WebhooksSection({
  webhooks,
  deliveries,
  actions,
}: {
  webhooks: WebhookListing[];
  deliveries: DeliveryListing[];
  actions: { add: FormAction<WebhookState>; remove: FormAction<ActionState> };
}) {
  return (
    <section className="space-y-3" aria-labelledby="webhooks-heading" data-testid="webhooks">
      <h2 id="webhooks-heading" className="text-lg font-semibold">
        Webhooks
      </h2>
      <p className="text-sm text-slate-600">
        Told when a plan is approved, an expand, backfill or contract is done or failed, a gate opens, a contract waits for the on-call approval, a brownout is
        put back, or an error rate rises. Each event is sent once per webhook, signed, and retried with backoff for about two minutes. URLs and keys stay on the
        server: only the host is shown.
      </p>
      <WebhookForm action={actions.add} />
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm" data-testid="webhook-list">
        {webhooks.map((w) => (
          <li key={w.id} className="flex flex-wrap items-start gap-x-4 gap-y-1 px-3 py-2" data-webhook={w.id}>
            <span className="min-w-0 font-mono text-xs wrap-anywhere">
              #{w.id} {w.shownAs}/…
            </span>
            <span className="text-xs text-slate-600">
              {w.format === 'slack' ? 'Slack text' : 'JSON'} · {w.migrationId ? `migration #${w.migrationId}` : 'every migration'} ·{' '}
              {w.events.length === WEBHOOK_EVENTS.length ? 'every event' : w.events.map((e) => WEBHOOK_EVENT_WORDS[e]).join(', ')} ·{' '}
              {w.createdBy === 'env' ? 'from EC_WEBHOOK_URL' : `added by ${w.createdBy}`}
            </span>
            {w.createdBy !== 'env' && (
              <div className="ml-auto">
                <ActionForm action={actions.remove} hidden={{ id: w.id }} label="Remove" danger />
              </div>
            )}
          </li>
        ))}
        {webhooks.length === 0 && <li className="px-3 py-2 text-slate-600">No webhooks yet.</li>}
      </ul>
      <h3 className="font-medium">Deliveries</h3>
      {deliveries.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing sent yet.</p>
      ) : (
        <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm" data-testid="webhook-deliveries">
          {deliveries.map((d) => (
            <li key={d.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2" data-status={d.status}>
              <StatusBadge status={TONE[d.status]} state={d.status}>
                {d.status}
              </StatusBadge>
              <span className="font-mono text-xs">{minute(d.createdAt)} UTC</span>
              <span>{WEBHOOK_EVENT_WORDS[d.event] ?? d.event}</span>
              {d.migrationId && <span className="text-slate-600">migration #{d.migrationId}</span>}
              <span className="min-w-0 font-mono text-xs text-slate-600 wrap-anywhere">
                to #{d.webhookId} {d.shownAs}
              </span>
              <span className="text-xs text-slate-600">
                {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                {d.lastStatus ? ` · last answer ${d.lastStatus}` : ''}
                {d.lastError && d.status !== 'delivered' ? ` · ${d.lastError}` : ''}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
