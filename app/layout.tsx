import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';

export const metadata: Metadata = {
  title: 'Expand/Contract',
  description: 'Zero-downtime Postgres schema changes, the expand-contract way.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-7xl items-center justify-between px-6 py-3">
            <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
              <span aria-hidden className="inline-flex h-6 w-6 items-center justify-center rounded bg-indigo-600 text-xs text-white">
                ⇄
              </span>
              Expand/Contract
            </Link>
            <nav className="flex gap-5 text-sm text-slate-600">
              <Link href="/migrations" className="hover:text-slate-900">
                Migrations
              </Link>
              <Link href="/" className="hover:text-slate-900">
                Schema &amp; health
              </Link>
            </nav>
          </div>
        </header>
        <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
      </body>
    </html>
  );
}
