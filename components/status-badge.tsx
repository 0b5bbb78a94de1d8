import { statusLook, type Tone } from './migration-status';

export type Status = Tone;

const STYLES: Record<Status, string> = {
  ok: 'bg-emerald-50 text-emerald-700 ring-emerald-600/20',
  warn: 'bg-amber-50 text-amber-800 ring-amber-600/20',
  error: 'bg-rose-50 text-rose-700 ring-rose-600/20',
  neutral: 'bg-slate-100 text-slate-700 ring-slate-500/20',
  info: 'bg-sky-50 text-sky-800 ring-sky-600/20',
  progress: 'bg-indigo-50 text-indigo-700 ring-indigo-600/20',
  attention: 'bg-orange-50 text-orange-800 ring-orange-600/20',
  // Withdrawn: drawn struck through, so it reads as "never happened" rather than another state of work.
  muted: 'bg-white text-slate-500 line-through ring-slate-300',
};

export function StatusBadge({ status, title, state, children }: { status: Status; title?: string; state?: string; children: React.ReactNode }) {
  return (
    <span
      data-status={status}
      data-state={state}
      title={title}
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[status]}`}
    >
      <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-current" />
      {children}
    </span>
  );
}

/** A migration's state as a badge: its own word and colour, what it means on hover. */
export function MigrationStatusBadge({ state }: { state: string }) {
  const look = statusLook(state);
  return (
    <StatusBadge status={look.tone} title={look.meaning} state={state}>
      {look.word}
    </StatusBadge>
  );
}
