import { SignInForm } from '@/components/sign-in-form';

export const metadata = { title: 'Sign in · Expand/Contract' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <div className="mx-auto max-w-sm space-y-6 pt-8">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      <SignInForm next={next ?? '/'} />
      <p className="text-sm text-slate-600">
        No account? An admin creates one with <code className="font-mono">expand-contract user create</code>. On the embedded demo, the accounts are printed when the
        dashboard starts.
      </p>
    </div>
  );
}
