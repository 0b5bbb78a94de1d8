import { openApiDocument } from '@/lib/api/openapi-document';
import { guardedRoute } from '@/lib/auth/guarded-route';

// Built from the route schemas once per process: it changes only with the code.
let document: ReturnType<typeof openApiDocument> | undefined;

/**
 * The HTTP API described as OpenAPI 3.1: GET /api/v1/openapi.json, for client generators and for
 * reading. Public: it describes the routes and holds no data, so it asks for no token or session.
 */
export const GET = guardedRoute('public', async () => {
  document ??= openApiDocument();
  return Response.json(document, { headers: { 'cache-control': 'public, max-age=300' } });
});
