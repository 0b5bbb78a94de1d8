import type { ReactNode } from 'react';

/**
 * One of a person's steps. The next step keeps the action form's filled look; the others are drawn
 * quieter (outlined), so the one that moves the migration on stands out. One component for both,
 * so a step that stops being the next keeps its form, and the answer shown beside it.
 */
export function StepSlot({ primary, children }: { primary: boolean; children: ReactNode }) {
  return (
    <div
      data-primary={primary}
      className={primary ? '' : '[&_button]:bg-white [&_button]:text-indigo-800 [&_button]:ring-1 [&_button]:ring-indigo-300 [&_button:hover]:bg-indigo-50'}
    >
      {children}
    </div>
  );
}
