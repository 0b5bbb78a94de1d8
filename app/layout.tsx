import type { Metadata } from 'next';
import Link from 'next/link';
import { signOutAction } from '@/app/sign-in/actions/sign-out-action';
import { SignOutForm } from '@/components/sign-out-form';
import { currentActor } from '@/lib/auth/current-actor';
import './globals.css';

export const metadata: Metadata = {
  title: 'Expand/Contract',
  description: 'Zero-downtime Postgres schema changes, the expand-contract way.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const actor = await currentActor();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-2 px-4 py-3 sm:px-6">
            <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
              <span aria-hidden className="inline-flex h-6 w-6 items-center justify-center rounded bg-indigo-600 text-xs text-white">
                ⇄
              </span>
              Expand/Contract
            </Link>
            <nav className="flex flex-wrap items-center gap-x-5 gap-y-1 text-sm text-slate-600">
              <Link href="/migrations" className="hover:text-slate-900">
                Migrations
              </Link>
              {actor && (
                <Link href="/migrations/new" className="hover:text-slate-900">
                  New migration
                </Link>
              )}
              <Link href="/" className="hover:text-slate-900">
                Schema &amp; health
              </Link>
              {actor && (
                <Link href="/replay" className="hover:text-slate-900">
                  2am replay
                </Link>
              )}
              {actor && (
                <Link href="/audit" className="hover:text-slate-900">
                  Audit log
                </Link>
              )}
              {actor?.roles.includes('admin') && (
                <Link href="/admin" className="hover:text-slate-900">
                  Admin
                </Link>
              )}
              {actor && (
                <SignOutForm action={signOutAction} className="flex items-center gap-2">
                  <span data-testid="signed-in-as" className="text-slate-700">
                    {actor.email} ({actor.roles.join(', ')})
                  </span>
                  <button type="submit" className="underline hover:text-slate-900">
                    Sign out
                  </button>
                </SignOutForm>
              )}
            </nav>
          </div>
        </header>
        <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
      </body>
    </html>
  );
}
