import { NextResponse } from 'next/server';
import { answerWith } from '@/lib/api/answer-with';
import { healthBodySchema } from '@/lib/api/health-body';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { getHealth } from '@/lib/data/get-health';

/**
 * Readiness for load balancers and scripts: 200 when both databases answer, 503 otherwise.
 * Anonymous callers learn only that; hosts, databases, logins, sizes and versions are for
 * signed-in people.
 */
export const GET = guardedRoute('anyone', async (_request, _ctx, actor) => {
  const health = await getHealth();
  const ok = health.state.database.ok && health.target.database.ok;
  const status = ok ? 200 : 503;
  return actor ? NextResponse.json(health, { status, headers: { 'cache-control': 'no-store' } }) : answerWith(healthBodySchema, { ok }, status);
});
