export type Status = 'ok' | 'warn' | 'error';

const STYLES: Record<Status, string> = {
  ok: 'bg-emerald-50 text-emerald-700 ring-emerald-600/20',
  warn: 'bg-amber-50 text-amber-800 ring-amber-600/20',
  error: 'bg-rose-50 text-rose-700 ring-rose-600/20',
};

export function StatusBadge({ status, children }: { status: Status; children: React.ReactNode }) {
  return (
    <span data-status={status} className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status]}`}>
      <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-current" />
      {children}
    </span>
  );
}
