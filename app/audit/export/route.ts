import { signedIn } from '@/lib/auth/guarded-action';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { statePool } from '@/lib/db/pools';
import { auditCsv, auditFilterSchema, listAudit } from '@/lib/data/audit-log';

/** The audit log as CSV, with the page's filters; signed-in people only. */
export const GET = guardedRoute(signedIn, async (request) => {
  const params = Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v));
  const parsed = auditFilterSchema.safeParse(params);
  if (!parsed.success) return new Response(`invalid filter: ${parsed.error.issues[0]?.path.join('.')}\n`, { status: 400 });
  const csv = auditCsv(await listAudit(statePool(), parsed.data, 100_000));
  return new Response(csv, {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="audit-log.csv"', 'cache-control': 'no-store' },
  });
});
