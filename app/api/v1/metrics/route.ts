import { answerWith } from '@/lib/api/answer-with';
import { errorBodySchema } from '@/lib/api/error-body';
import { ingestResultBodySchema } from '@/lib/api/ingest-result-body';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { parseEnv } from '@/lib/config/env';
import { statePool } from '@/lib/db/pools';
import { checkMetricBatch, MAX_BODY_BYTES } from '@/lib/metrics/metric-batch';
import { ingestMetrics } from '@/lib/signals/ingest-metrics';

const refuse = (status: number, error: string, details?: string[]) => answerWith(errorBodySchema, { error, details }, status);

/**
 * Error-rate points from a service: POST {batchId, points: [{service, version, timestamp,
 * requests, errors, sqlstate?, route?}]} with `Authorization: Bearer <ingest token>`.
 * 200 stored (or already stored under that batch id), 400 invalid, 401 token, 413 too big, 415 not JSON.
 */
export const POST = guardedRoute({ token: 'ingest' }, async (request, _ctx, token) => {
  // Refused before reading: a declared size over the limit costs nothing to turn away.
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES)
    return refuse(413, `the body is larger than ${MAX_BODY_BYTES} bytes: send smaller batches`);
  // JSON only: a browser cannot send it cross-origin without a preflight, so a form on another site cannot post here.
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) return refuse(415, 'send Content-Type: application/json');
  const state = statePool();
  const service = token.service!;
  const text = await readLimited(request, MAX_BODY_BYTES);
  if (text === null) return refuse(413, `the body is larger than ${MAX_BODY_BYTES} bytes: send smaller batches`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refuse(400, 'the body is not valid JSON');
  }
  const now = new Date();
  const oldest = new Date(now.getTime() - parseEnv(process.env).EC_RETENTION_RAW_DAYS * 86_400_000);
  const checked = checkMetricBatch(body, service, now, oldest);
  if (!checked.ok) return refuse(400, 'invalid batch', checked.errors);
  const result = await ingestMetrics(state, service, checked.batch);
  return answerWith(ingestResultBodySchema, result);
});

/** The body as text, or null as soon as it passes `limit` bytes: a chunked body without Content-Length is never held whole. */
async function readLimited(request: Request, limit: number): Promise<string | null> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
