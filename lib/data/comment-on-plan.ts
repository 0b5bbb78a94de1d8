import 'server-only';
import type { Pool } from 'pg';
import { z } from 'zod';
import { permission, type Actor } from '../lifecycle/permissions';
import { audit, ForbiddenError, withActor } from './with-actor';

export const commentSchema = z.string().trim().min(1, 'a comment cannot be empty').max(5000, 'a comment has at most 5000 characters');

export async function commentOnPlan(pool: Pool, actor: Actor, migrationId: number, text: string): Promise<number> {
  const allowed = permission(actor, { kind: 'plan.comment' });
  if (!allowed.ok) throw new ForbiddenError(allowed.reason);
  const body = commentSchema.parse(text);
  return withActor(pool, actor, async (c) => {
    const { rows } = await c.query('INSERT INTO expand_contract.comments (migration_id, author_id, body) VALUES ($1, $2, $3) RETURNING id', [
      migrationId,
      actor.id,
      body,
    ]);
    await audit(c, actor, 'plan.commented', migrationId, { commentId: Number(rows[0].id) });
    return Number(rows[0].id);
  });
}
