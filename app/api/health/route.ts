import { NextResponse } from 'next/server';
import { getHealth } from '@/lib/data/get-health';

/** Readiness for load balancers and scripts: 200 when both databases answer, 503 otherwise. */
export async function GET() {
  const health = await getHealth();
  const ok = health.state.database.ok && health.target.database.ok;
  return NextResponse.json(health, { status: ok ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
