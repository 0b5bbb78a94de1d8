'use client';
import { useActionState, type ReactNode } from 'react';
import type { FormAction } from '@/lib/actions/action-state';

/** The header's sign-out form. Signing out redirects; an answer comes back only when it failed. */
export function SignOutForm({ action, className, children }: { action: FormAction; className?: string; children: ReactNode }) {
  const [state, run] = useActionState(action, {});
  return (
    <form action={run} className={className}>
      {children}
      {state.error && (
        <span role="alert" className="text-red-800">
          {state.error}
        </span>
      )}
    </form>
  );
}
