import type { NextStep } from '@/lib/lifecycle/next-step';

/** One line near the top: what the migration waits for, and on whom. */
export function NextStepLine({ step }: { step: NextStep }) {
  return (
    <p className="rounded border-l-4 border-indigo-500 bg-indigo-50 px-3 py-2 text-sm font-medium text-slate-900" data-testid="next-step">
      {step.text}
    </p>
  );
}
