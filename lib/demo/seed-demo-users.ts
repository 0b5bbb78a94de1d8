import fs from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { generatePassword, upsertUser } from '../auth/manage-users';
import type { Role } from '../lifecycle/permissions';

export interface DemoUser {
  email: string;
  password: string;
  roles: Role[];
}

const DEMO: { email: string; name: string; roles: Role[] }[] = [
  { email: 'author@demo.local', name: 'Ada Author', roles: ['author'] },
  { email: 'reviewer@demo.local', name: 'Rui Reviewer', roles: ['reviewer'] },
  { email: 'oncall@demo.local', name: 'Ona On-call', roles: ['oncall', 'reviewer'] },
  { email: 'viewer@demo.local', name: 'Vik Viewer', roles: ['viewer'] },
  { email: 'admin@demo.local', name: 'Ama Admin', roles: ['admin'] },
];

const ROTATION =
  "INSERT INTO expand_contract.oncall_rotation (position, user_id) SELECT 0, id FROM expand_contract.users WHERE email = 'oncall@demo.local' ON CONFLICT DO NOTHING";

/**
 * The embedded default's accounts, one per role, created once with generated passwords. The
 * passwords are kept beside the embedded server's own (`demo-users.json`, readable by the
 * owner only) so every start can print them; the database has only their hashes. With
 * Supabase Auth they are created disabled, without a password, as the people of the seeded
 * history only: a `demo.local` address nobody can receive must never be linkable to whoever
 * signs up with it (least of all the admin).
 */
export async function seedDemoUsers(state: Pool, dataRoot: string, options: { signIn: 'local' | 'none' } = { signIn: 'local' }): Promise<DemoUser[]> {
  if (options.signIn === 'none') {
    // Also when an earlier start made them with local passwords: switched to Supabase, they go quiet.
    await state.query('UPDATE expand_contract.users SET disabled_at = now() WHERE email = ANY ($1) AND disabled_at IS NULL AND auth_subject IS NULL', [
      DEMO.map((d) => d.email),
    ]);
    const { rows } = await state.query<{ n: number }>('SELECT count(*)::int AS n FROM expand_contract.users');
    if (rows[0]!.n > 0) return [];
    for (const d of DEMO) {
      await state.query('INSERT INTO expand_contract.users (email, name, roles, disabled_at) VALUES ($1, $2, $3, now())', [d.email, d.name, d.roles]);
    }
    // The seeded history's contract approvals were given on call; `expand-contract oncall set` replaces it.
    await state.query(ROTATION);
    return [];
  }
  const file = path.join(dataRoot, 'demo-users.json');
  const saved = await fs.readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as DemoUser[],
    () => null,
  );
  const { rows } = await state.query<{ n: number }>('SELECT count(*)::int AS n FROM expand_contract.users');
  if (saved && rows[0]!.n > 0) return saved;
  if (rows[0]!.n > 0) return []; // people created by hand: leave them alone
  const users: DemoUser[] = [];
  for (const d of DEMO) {
    const password = generatePassword();
    await upsertUser(state, { email: d.email, name: d.name, roles: d.roles, password });
    users.push({ email: d.email, password, roles: d.roles });
  }
  // The demo's on-call person holds every shift, so a contract can be approved in the demo.
  await state.query(ROTATION);
  await fs.writeFile(file, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  return users;
}
