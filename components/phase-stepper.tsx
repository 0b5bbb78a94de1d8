interface Run {
  phase: string;
  status: string;
  startedAt: Date;
  actor: string;
  source: string;
}

const STEPS = ['expand', 'backfill', 'verify', 'deploy', 'contract'] as const;

/** Where the migration is in its life: each step done (who, when), failed, or still to come. */
export function PhaseStepper({ runs, deployedAt, deployedBy }: { runs: Run[]; deployedAt: Date | null; deployedBy: string | null }) {
  const last = (phase: string) => runs.filter((r) => r.phase === phase).at(-1);
  const items = STEPS.map((step) => {
    if (step === 'deploy') return { step, state: deployedAt ? 'done' : 'todo', who: deployedBy ?? '', when: deployedAt };
    const run = last(step);
    if (!run) return { step, state: 'todo', who: '', when: null };
    const state = run.status === 'succeeded' ? 'done' : run.status === 'failed' ? 'failed' : 'running';
    return { step, state, who: run.source === 'supabase-cli' ? 'Supabase CLI' : run.actor, when: run.startedAt };
  });
  const colour: Record<string, string> = {
    done: 'bg-emerald-600 text-white',
    failed: 'bg-red-700 text-white',
    running: 'bg-amber-500 text-amber-950',
    todo: 'bg-white text-slate-600 border border-slate-300',
  };
  return (
    <ol className="flex flex-wrap gap-2" aria-label="Phases" data-testid="stepper">
      {items.map((i, n) => (
        <li key={i.step} className="flex items-center gap-2" data-step={i.step} data-state={i.state}>
          <span className={`inline-flex h-6 w-6 items-center justify-center rounded-full text-xs font-semibold ${colour[i.state]}`} aria-hidden>
            {i.state === 'done' ? '✓' : i.state === 'failed' ? '!' : n + 1}
          </span>
          <span className="text-sm">
            <span className="font-medium">{i.step}</span>
            <span className="sr-only"> {i.state}</span>
            {i.when && (
              <span className="block text-xs text-slate-600">
                {i.when.toISOString().slice(0, 16).replace('T', ' ')}
                {i.who ? ` · ${i.who}` : ''}
              </span>
            )}
          </span>
          {n < items.length - 1 && <span aria-hidden className="mx-1 h-px w-6 bg-slate-300" />}
        </li>
      ))}
    </ol>
  );
}
