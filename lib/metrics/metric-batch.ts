import { z } from 'zod';

/** Limits of one POST /api/v1/metrics: a body above MAX_BODY_BYTES is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 1_048_576;
export const MAX_POINTS = 5_000;
/** A point further in the future than this is a clock problem on the sender, not data. */
export const MAX_FUTURE_MS = 5 * 60_000;

/** PostgreSQL refuses a zone displacement past 15:59 (ISO 8601 and JavaScript allow up to 23:59). */
const MAX_OFFSET_MINUTES = 15 * 60 + 59;
const offsetMinutes = (t: string) => {
  const m = /([+-])(\d\d):?(\d\d)$/.exec(t);
  return m ? Number(m[2]) * 60 + Number(m[3]) : 0;
};

export const label = (what: string, max: number) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} is longer than ${max} characters`)
    // Labels end up in charts and CSV: no control characters.
    .regex(/^[^\p{Cc}]+$/u, `${what} must not contain control characters`);

export const metricPointSchema = z
  .object({
    service: label('service', 100),
    version: label('version', 100),
    timestamp: z.iso
      .datetime({ offset: true, message: 'timestamp must be an ISO 8601 date-time with a time zone, e.g. 2026-11-24T10:00:00Z' })
      // Only for a well-formed date-time (pipe): one message per problem.
      .pipe(
        z
          .string()
          .refine((t) => offsetMinutes(t) <= MAX_OFFSET_MINUTES, 'timestamp has a UTC offset beyond ±15:59, which PostgreSQL cannot store: send it in UTC (Z)')
          .refine((t) => Number.isFinite(Date.parse(t)), 'timestamp is not a date-time that exists'),
      ),
    requests: z.number().int().nonnegative().max(1e9),
    errors: z.number().int().nonnegative().max(1e9),
    sqlstate: z
      .string()
      .regex(/^[0-9A-Z]{5}$/, 'sqlstate is five digits or capital letters, e.g. 42703')
      .optional(),
    route: label('route', 200).optional(),
  })
  .strict()
  .refine((p) => p.errors <= p.requests, { message: 'errors cannot exceed requests', path: ['errors'] });

export const metricBatchSchema = z
  .object({
    /** Chosen by the sender and reused on retry: a batch id already stored for the service is acknowledged, not stored again. */
    batchId: label('batchId', 128),
    points: z.array(metricPointSchema).min(1, 'points must not be empty').max(MAX_POINTS, `at most ${MAX_POINTS} points per batch`),
  })
  .strict();

export type MetricPoint = z.infer<typeof metricPointSchema>;
export type MetricBatch = z.infer<typeof metricBatchSchema>;

export type BatchCheck = { ok: true; batch: MetricBatch } | { ok: false; errors: string[] };

/**
 * Validates a parsed JSON body: shape, limits, that every point belongs to `service` (the
 * token's), and that no point lies in the future or before `oldest` (what retention would drop).
 */
export function checkMetricBatch(body: unknown, service: string, now: Date, oldest: Date): BatchCheck {
  const parsed = metricBatchSchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.slice(0, 20).map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`) };
  }
  const errors: string[] = [];
  parsed.data.points.forEach((p, i) => {
    if (p.service !== service) errors.push(`points.${i}.service: this token reports for "${service}", not "${p.service}"`);
    const t = Date.parse(p.timestamp);
    if (t > now.getTime() + MAX_FUTURE_MS) errors.push(`points.${i}.timestamp: ${p.timestamp} is in the future`);
    if (t < oldest.getTime()) errors.push(`points.${i}.timestamp: ${p.timestamp} is older than the retention of raw points`);
  });
  return errors.length ? { ok: false, errors: errors.slice(0, 20) } : { ok: true, batch: parsed.data };
}
