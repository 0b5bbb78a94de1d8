import { z } from 'zod';

/** The answer to a stored metric batch (lib/signals/ingest-metrics.ts): a retried batch id stores nothing again. */
export const ingestResultBodySchema = z.object({
  accepted: z.number().int().nonnegative().describe('points stored by this call: 0 when the batch id was stored before'),
  duplicate: z.boolean().describe('the batch id was already stored for this service (a retry): nothing was stored again'),
});
