import { SignInForm } from '@/components/sign-in-form';
import { signInAction } from './actions/sign-in-action';
import { supabaseAuth } from '@/lib/auth/current-actor';
import { safeNext } from '@/lib/auth/safe-next';

export const metadata = { title: 'Sign in · Expand/Contract' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; notice?: string }> }) {
  const { next, notice } = await searchParams;
  const viaSupabase = supabaseAuth() !== null;
  return (
    <div className="mx-auto max-w-sm space-y-6 pt-8">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      {notice === 'not-revoked' && (
        <p role="status" className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Signed out of this browser, but Supabase Auth could not be reached to end the session itself: sign out again later, or end it in the Supabase
          dashboard, if this browser&apos;s cookies may have been copied.
        </p>
      )}
      {viaSupabase && (
        <p data-testid="sign-in-provider" className="text-sm text-slate-600">
          With your team&apos;s Supabase account (Supabase Auth).
        </p>
      )}
      <SignInForm next={safeNext(next)} action={signInAction} />
      <p className="text-sm text-slate-600">
        {viaSupabase ? (
          <>
            No access yet? An admin adds your email with <code className="font-mono">expand-contract user create</code>; your first sign-in with that confirmed
            email links it.
          </>
        ) : (
          <>
            No account? An admin creates one with <code className="font-mono">expand-contract user create</code>. On the embedded demo, the accounts are printed
            when the dashboard starts.
          </>
        )}
      </p>
    </div>
  );
}
