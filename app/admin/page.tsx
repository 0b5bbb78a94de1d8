import { connection } from 'next/server';
import { ActionForm } from '@/components/action-form';
import { TokenForm } from '@/components/token-form';
import { requireActor } from '@/lib/auth/current-actor';
import { permission } from '@/lib/lifecycle/permissions';
import { statePool } from '@/lib/db/pools';
import { listTokensAs } from '@/lib/data/manage-tokens';
import { withActor } from '@/lib/data/with-actor';
import { createTokenAction } from './actions/create-token-action';
import { revokeTokenAction } from './actions/revoke-token-action';

export const metadata = { title: 'Admin · Expand/Contract' };

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
  const { users, rotation, onCall } = await withActor(statePool(), actor, async (c) => ({
    users: (await c.query('SELECT email, name, roles, disabled_at FROM expand_contract.users ORDER BY email')).rows,
    rotation: (
      await c.query('SELECT r.position, u.email FROM expand_contract.oncall_rotation r JOIN expand_contract.users u ON u.id = r.user_id ORDER BY r.position')
    ).rows,
    onCall: (await c.query('SELECT email FROM expand_contract.users WHERE id = expand_contract.on_call_at(now())')).rows[0]?.email as string | undefined,
  }));
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Admin</h1>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">API tokens</h2>
        <p className="text-sm text-slate-600">
          Shown once when created; only a SHA-256 of each is stored. Services send error rates with an ingest token, CD pipelines mark deploys with a deploy
          token.
        </p>
        <TokenForm action={createTokenAction} />
        <table className="w-full text-left text-sm" data-testid="tokens">
          <thead>
            <tr className="border-b border-slate-200">
              <th className="py-1">Token</th>
              <th>Scope</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} className="border-b border-slate-100 align-top" data-testid="token-row">
                <td className="py-1 font-mono text-xs">
                  {t.id}
                  {t.label ? ` (${t.label})` : ''}
                </td>
                <td>{t.scope === 'ingest' ? `ingest for ${t.service}` : `deploy for ${t.migrationId ? `migration ${t.migrationId}` : 'every migration'}`}</td>
                <td>
                  {t.createdAt.toISOString().slice(0, 16).replace('T', ' ')} by {t.createdBy}
                </td>
                <td>
                  {t.revokedAt
                    ? `revoked ${t.revokedAt.toISOString().slice(0, 16).replace('T', ' ')}`
                    : t.lastUsedAt
                      ? t.lastUsedAt.toISOString().slice(0, 16).replace('T', ' ')
                      : 'never'}
                </td>
                <td>{!t.revokedAt && <ActionForm action={revokeTokenAction} hidden={{ id: t.id }} label="Revoke" danger />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="space-y-2">
        <h2 className="text-lg font-semibold">People</h2>
        <p className="text-sm text-slate-600">
          Create or reset accounts with <code className="font-mono">expand-contract user create &lt;email&gt; --role …</code>.
        </p>
        <ul className="text-sm">
          {users.map((u) => (
            <li key={u.email}>
              {u.email} · {u.roles.join(', ')}
              {u.disabled_at ? ' · disabled' : ''}
            </li>
          ))}
        </ul>
      </section>
      <section className="space-y-2">
        <h2 className="text-lg font-semibold">On call</h2>
        <p className="text-sm">
          Now: <span data-testid="on-call-now">{onCall ?? 'nobody'}</span> · rotation: {rotation.map((r) => r.email).join(' → ') || 'none'} (
          <code className="font-mono">expand-contract oncall set|override</code>)
        </p>
      </section>
    </div>
  );
}
