import { z } from 'zod';

/**
 * A JSON answer encoded through the schema the OpenAPI document describes it with: Dates become
 * ISO strings, and any field the schema does not name is dropped, so a record that gains a
 * column never reaches a token holder unreviewed. Never cached: every answer is for one token.
 */
export function answerWith<S extends z.ZodType>(schema: S, value: z.output<S>, status = 200): Response {
  return Response.json(z.encode(schema, value), { status, headers: { 'cache-control': 'no-store' } });
}
