import { connection } from 'next/server';
import { LintForm } from '@/components/lint-form';
import { NewMigrationForm } from '@/components/new-migration-form';
import { requireActor } from '@/lib/auth/current-actor';
import { permission } from '@/lib/lifecycle/permissions';
import { parseEnv } from '@/lib/config/env';
import { introspectSchema } from '@/lib/db/introspect-schema';
import { withoutProductTables } from '@/lib/migrations/product-tables';
import { targetPool } from '@/lib/db/pools';
import { createSuggestedAction } from './actions/create-suggested-action';
import { lintAction } from './actions/lint-action';
import { newMigrationAction } from './actions/new-migration-action';

export const metadata = { title: 'New migration · Expand/Contract' };

export default async function NewMigrationPage() {
  await connection();
  const actor = await requireActor();
  const allowed = permission(actor, { kind: 'migration.preview' });
  const canCreate = permission(actor, { kind: 'migration.create' }).ok;
  // The product's own tables (archives, the migration history) are never something to migrate.
  const snapshot = withoutProductTables(await introspectSchema(targetPool(), parseEnv(process.env).EC_TARGET_SCHEMAS));
  const tables = snapshot.tables.map((t) => ({
    schema: t.schema,
    name: t.name,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
  }));
  return (
    <div className="space-y-10">
      <section className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight">New migration</h1>
        {allowed.ok ? (
          <NewMigrationForm tables={tables} action={newMigrationAction} canCreate={canCreate} />
        ) : (
          <p role="alert" className="text-sm text-red-800">
            {allowed.reason}; you can still preview what the linter says below.
          </p>
        )}
      </section>
      <section className="space-y-3">
        <h2 className="text-xl font-semibold tracking-tight">Paste SQL</h2>
        <p className="text-sm text-slate-600">
          Checks a migration you wrote by hand for statements that break the code still running, with Squawk and our own pass over the Postgres parse tree.
        </p>
        <LintForm lint={lintAction} createSuggested={createSuggestedAction} canCreate={canCreate} />
      </section>
    </div>
  );
}
