import { z } from 'zod';

/** GET /api/health to a caller without a session: only whether both databases answer (hosts and versions are for people). */
export const healthBodySchema = z.object({
  ok: z.boolean().describe('both the state and the target database answer'),
});
