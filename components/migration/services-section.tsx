import { ActionForm } from '@/components/action-form';
import type { FormAction } from '@/lib/actions/action-state';
import type { MigrationDetail } from '@/lib/data/get-migrations';

/** Whose error rates are the change's evidence; named before the expand only, by the author or an admin (no form for anyone else). */
export function ServicesSection({ m, open, save, mayEdit }: { m: MigrationDetail; open: boolean; save: FormAction; mayEdit: boolean }) {
  return (
    <section className="space-y-2" data-testid="services">
      <h2 className="text-lg font-semibold">Error evidence</h2>
      <p className="text-sm text-slate-700">
        {m.services ? `From ${m.services.join(', ')}, the services named for this change,` : 'From every service reporting to the dashboard,'} and the
        target&apos;s Postgres log.
        {!open && ' Fixed since the expand began: the evidence is judged on it from there.'}
      </p>
      {open && mayEdit && (
        // Named before the expand only: leaving a service out afterwards could hide its regression.
        <ActionForm action={save} hidden={{ migrationId: m.id }} label="Save services">
          <label className="block text-sm">
            Services that use this table (comma-separated, as they report; empty: every service)
            <input
              name="services"
              defaultValue={m.services?.join(', ') ?? ''}
              maxLength={5000}
              className="mt-1 block w-full max-w-xl rounded border border-slate-300 px-2 py-1"
            />
          </label>
        </ActionForm>
      )}
    </section>
  );
}
