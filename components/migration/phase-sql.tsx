import { CopyButton } from '@/components/copy-button';
import type { MigrationDetail } from '@/lib/data/get-migrations';
import { FILE_PHASES, renderPhase, type FilePhase } from '@/lib/migrations/render-sql';

/**
 * The SQL of every phase, to copy or download as a Supabase migration file: each file only when
 * `refusals` (phaseFileRefusal, contractFileRefusal) does not say why not. The SQL is always
 * shown, to review.
 */
export function PhaseSql({ m, refusals }: { m: MigrationDetail; refusals: Record<FilePhase, string | null> }) {
  return (
    <section className="space-y-2" data-testid="sql">
      <h2 className="text-lg font-semibold">SQL of every phase</h2>
      {(Object.keys(FILE_PHASES) as FilePhase[]).map((phase) => {
        const sql = renderPhase(m.plan, phase);
        const refused = refusals[phase];
        return (
          <details key={phase} className="rounded border border-slate-200" data-phase={phase}>
            {/* The page breaks long names anywhere; these short words must not be broken into letters on a phone. */}
            <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm font-medium [overflow-wrap:normal]">
              <span className="shrink-0">{phase}</span>
              {/* No file, no one-click copy either: the SQL stays readable below, to review. */}
              {!refused && <CopyButton text={sql} label={`Copy the ${phase} SQL`} />}
              {refused ? (
                <span className="text-xs text-slate-600" data-testid={`${phase}-file-refused`}>
                  no file yet
                </span>
              ) : (
                <a href={`/migrations/${m.id}/files/${phase}`} className="text-xs underline" download>
                  download as Supabase migration
                </a>
              )}
            </summary>
            {refused && (
              <p className="px-3 pt-2 text-xs text-slate-700" data-testid={`${phase}-file-why`}>{`${refused.charAt(0).toUpperCase()}${refused.slice(1)}.`}</p>
            )}
            <pre className="max-h-96 overflow-auto bg-slate-50 p-3 text-xs">{sql}</pre>
          </details>
        );
      })}
    </section>
  );
}
