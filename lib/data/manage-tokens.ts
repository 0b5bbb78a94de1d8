import 'server-only';
import type { Pool } from 'pg';
import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken, type ApiToken } from '../auth/api-tokens';
import { permission, type Actor } from '../lifecycle/permissions';
import { migrationIdField } from '../migrations/parse-migration-id';
import { audit, ForbiddenError, withActor } from './with-actor';

export const newTokenSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('ingest'), service: z.string().trim().min(1, 'name the service').max(100), label: z.string().trim().max(200).default('') }),
  z.object({ scope: z.literal('deploy'), migrationId: migrationIdField.optional(), label: z.string().trim().max(200).default('') }),
  // The feed shows every migration: a calendar token names neither a service nor a migration.
  z.object({ scope: z.literal('calendar'), label: z.string().trim().max(200).default('') }),
]);

function adminOnly(actor: Actor) {
  const allowed = permission(actor, { kind: 'admin' });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
}

/** An admin creates a token; the value is returned once and never stored. */
/** `input` is parsed here (form fields or an object): scope, then service or migration id, and a label. */
export async function createTokenAs(pool: Pool, actor: Actor, input: unknown): Promise<{ token: string; record: ApiToken }> {
  adminOnly(actor);
  const t = newTokenSchema.parse(input);
  return withActor(pool, actor, async (c) => {
    const created = await createApiToken(c, {
      scope: t.scope,
      service: t.scope === 'ingest' ? t.service : undefined,
      migrationId: t.scope === 'deploy' ? t.migrationId : undefined,
      label: t.label,
      createdBy: actor.email,
    });
    await audit(c, actor, 'token.created', t.scope === 'deploy' ? (t.migrationId ?? null) : null, { id: created.record.id, scope: t.scope, label: t.label });
    return created;
  });
}

export async function revokeTokenAs(pool: Pool, actor: Actor, id: string): Promise<boolean> {
  adminOnly(actor);
  return withActor(pool, actor, async (c) => {
    const ok = await revokeApiToken(c, id);
    if (ok) await audit(c, actor, 'token.revoked', null, { id });
    return ok;
  });
}

/** Read as the person: the database shows tokens to admins only. */
export async function listTokensAs(pool: Pool, actor: Actor): Promise<ApiToken[]> {
  adminOnly(actor);
  return withActor(pool, actor, (c) => listApiTokens(c));
}
