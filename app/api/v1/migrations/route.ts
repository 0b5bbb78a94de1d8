import { answerWith } from '@/lib/api/answer-with';
import { migrationListBodySchema } from '@/lib/api/migration-summary-body';
import { guardedRoute } from '@/lib/auth/guarded-route';
import { listMigrations } from '@/lib/data/get-migrations';

/**
 * The migrations a CD pipeline may act on: GET /api/v1/migrations with `Authorization: Bearer
 * <deploy token>`, newest first. A token scoped to one migration lists that one alone (the others
 * are not read). 200, 401 token.
 */
export const GET = guardedRoute({ token: 'deploy' }, async (_request, _ctx, token) =>
  answerWith(migrationListBodySchema, { migrations: await listMigrations(token.migrationId) }),
);
