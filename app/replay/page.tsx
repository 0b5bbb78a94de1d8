import { connection } from 'next/server';
import { ReplayView } from '@/components/replay-view';
import { requireActor } from '@/lib/auth/current-actor';
import { permission } from '@/lib/lifecycle/permissions';
import { replayAction } from './actions/replay-action';

export const metadata = { title: '2am replay · Expand/Contract' };

export default async function ReplayPage() {
  await connection();
  const allowed = permission(await requireActor(), { kind: 'replay.run' });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">The 2am replay</h1>
      <p className="max-w-3xl text-sm text-slate-700">
        Two scratch copies of the demo&apos;s leads table, the same simulated traffic on both (an old app version reading and writing <code>user_email</code>, a
        new one using <code>contact_email</code>). On the left the column is renamed in place while the old version still serves; on the right the same change
        goes expand → backfill → deploy (the old version drains) → contract. Every number is measured in this run.
      </p>
      {allowed.ok ? (
        <ReplayView action={replayAction} />
      ) : (
        <p role="alert" className="text-sm text-red-800">
          {allowed.reason}: it creates, runs and contracts a migration on the target.
        </p>
      )}
    </div>
  );
}
