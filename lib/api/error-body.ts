import { z } from 'zod';

/** Every refusal of the API, whatever its status: what went wrong in words, and for an invalid batch which fields. */
export const errorBodySchema = z.object({
  error: z.string().describe('what went wrong, for people; match on the status code, not on this text'),
  details: z.array(z.string()).optional().describe('one line per problem of an invalid request body: `path: message`'),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;
