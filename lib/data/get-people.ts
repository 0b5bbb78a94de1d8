import 'server-only';
import type { Pool } from 'pg';
import type { Actor, Role } from '../lifecycle/permissions';
import { withActor } from './with-actor';

export interface PersonListed {
  email: string;
  name: string;
  roles: Role[];
  disabledAt: Date | null;
}

export interface OverrideListed {
  id: number;
  email: string;
  from: Date;
  to: Date;
  reason: string;
}

export interface PeopleView {
  people: PersonListed[];
  rotation: string[];
  startsAt: Date | null;
  shiftDays: number;
  onCallNow: string | null;
  /** Overrides not yet over, soonest first. */
  overrides: OverrideListed[];
}

/** People, the rotation and its overrides, read as the person (the database shows admins everyone). */
export async function getPeople(pool: Pool, actor: Actor): Promise<PeopleView> {
  return withActor(pool, actor, async (c) => {
    const people = await c.query('SELECT email, name, roles, disabled_at FROM expand_contract.users ORDER BY disabled_at IS NOT NULL, email');
    const rotation = await c.query(
      'SELECT u.email FROM expand_contract.oncall_rotation r JOIN expand_contract.users u ON u.id = r.user_id ORDER BY r.position',
    );
    const shifts = await c.query(
      "SELECT value ->> 'startsAt' AS starts, (value ->> 'shiftDays')::int AS days FROM expand_contract.settings WHERE key = 'oncall'",
    );
    const now = await c.query('SELECT email FROM expand_contract.users WHERE id = expand_contract.on_call_at(now())');
    const overrides = await c.query(
      `SELECT o.id, u.email, o.starts_at, o.ends_at, o.reason FROM expand_contract.oncall_overrides o JOIN expand_contract.users u ON u.id = o.user_id
        WHERE o.ends_at > now() ORDER BY o.starts_at, o.id`,
    );
    return {
      people: people.rows.map((r) => ({ email: r.email, name: r.name, roles: r.roles, disabledAt: r.disabled_at })),
      rotation: rotation.rows.map((r) => r.email as string),
      startsAt: shifts.rows[0]?.starts ? new Date(shifts.rows[0].starts) : null,
      shiftDays: shifts.rows[0]?.days ?? 7,
      onCallNow: now.rows[0]?.email ?? null,
      overrides: overrides.rows.map((r) => ({ id: Number(r.id), email: r.email, from: r.starts_at, to: r.ends_at, reason: r.reason })),
    };
  });
}
