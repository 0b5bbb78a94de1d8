export function ProgressBar({ percent, label }: { percent: number | null; label: string }) {
  return (
    <div className="w-full" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent ?? undefined}>
      <div className="h-2 w-full overflow-hidden rounded-full bg-slate-200">
        <div className={`h-full rounded-full ${percent === 100 ? 'bg-emerald-500' : 'bg-indigo-500'} transition-all`} style={{ width: `${percent ?? 0}%` }} />
      </div>
    </div>
  );
}
