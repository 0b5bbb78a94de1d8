import { z } from 'zod';
import { isoDateTime } from './iso-date-time';

/** The answer to a deploy mark: when the buffer before the contract started, and who marked it first. */
export const deployMarkBodySchema = z.object({
  id: z.number().int().positive(),
  deployedAt: isoDateTime.describe('the first mark: marking again keeps it, so a re-run pipeline does not restart the buffer'),
  deployedBy: z.string().describe('`token:<token id>`, `cli:<login>` or the email of the person who marked it'),
});
