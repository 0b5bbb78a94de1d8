import type { StateSchemaReport } from '../lib/db/state-schema';
import { SUPABASE_HISTORY } from '../lib/db/state-history';

const WHY_APART = {
  kept: 'kept there since an earlier run',
  'app-history': 'the Supabase history holds the app',
  'same-database': 'DATABASE_URL and TARGET_DATABASE_URL reach this one database',
  requested: '--shared-with-app',
} as const;

/**
 * A connection string for whoever owns the Supabase history, built from the state's: same server,
 * the owner's name (with the project suffix the Supabase pooler wants, when the state's has one), and
 * a placeholder for the password, which this command never knows or prints.
 */
function ownerUrl(stateUrl: string, owner: string): string {
  const url = new URL(stateUrl);
  const suffix = /^[^.]+(\.[a-z0-9]+)$/i.exec(decodeURIComponent(url.username))?.[1];
  url.username = encodeURIComponent(owner.includes('.') || !suffix ? owner : owner + suffix);
  url.password = 'YOUR-PASSWORD';
  return url.toString();
}

/** What `migrate` and the dashboard's start say about the state's history, beyond the files applied. */
export function stateSchemaLines(report: StateSchemaReport, stateUrl: string): string[] {
  const lines: string[] = [];
  const { history } = report;
  if (history.apartBecause) {
    lines.push(`  state history: ${history.table}, apart from the app's ${SUPABASE_HISTORY} (${WHY_APART[history.apartBecause]})`);
  } else {
    lines.push(`  state history: ${history.table}, with the Supabase CLI (this database holds no app migrations)`);
  }
  if (history.moved.length > 0) {
    lines.push(
      `  moved ${history.moved.length} state version(s) out of ${SUPABASE_HISTORY} into ${history.table}: the app's \`supabase db push\` no longer trips on them`,
    );
  }
  if (history.left.length > 0) {
    const owner = history.owner ?? 'postgres';
    const versions = history.left.join(' ');
    lines.push(
      `  warning: ${history.left.length} state version(s) stay in ${SUPABASE_HISTORY}, which this login may not delete from: the app's \`supabase db push\` fails on them until they go (they are recorded in ${history.table} too, so nothing is applied twice). As ${owner}, its owner, run:`,
      `    supabase migration repair --status reverted ${versions} --remote="${ownerUrl(stateUrl, owner)}"`,
      `    (Supabase CLI 2: --db-url instead of --remote=) or, in SQL: DELETE FROM ${SUPABASE_HISTORY} WHERE version IN (${history.left.map((v) => `'${v}'`).join(', ')});`,
    );
  }
  for (const file of report.changedSinceApplied) lines.push(`  warning: ${file} changed after it was applied; applied SQL is never re-run`);
  return lines;
}
