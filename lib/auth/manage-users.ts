import { randomBytes } from 'node:crypto';
import type { ClientBase, Pool } from 'pg';
import { checkPasswordStrength, hashPassword } from './password';
import { checkOverrideWindow, checkShiftDays } from './on-call';
import { ROLES, type Role } from '../lifecycle/permissions';
import { AppError } from '../errors/app-error';

export class UnknownRoleError extends AppError {
  readonly code = 'unknown-role';
  readonly kind = 'invalid';
  constructor(readonly role: string) {
    super(`unknown role "${role}": one of ${ROLES.join(', ')}`);
    this.name = 'UnknownRoleError';
  }
}

/** A change to people the rules refuse (last admin, one's own account), or input they cannot take. */
export class PeopleRuleError extends AppError {
  readonly code = 'people-rule';
  constructor(
    message: string,
    readonly kind: 'forbidden' | 'invalid' | 'conflict' = 'forbidden',
  ) {
    super(message);
    this.name = 'PeopleRuleError';
  }
}

export class UnknownPersonError extends AppError {
  readonly code = 'unknown-person';
  readonly kind = 'not-found';
  constructor(readonly email: string) {
    super(`no account with the email ${email}`);
    this.name = 'UnknownPersonError';
  }
}

export function parseRoles(text: string | string[]): Role[] {
  const roles = (Array.isArray(text) ? text : text.split(',')).map((r) => r.trim()).filter(Boolean);
  for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) throw new UnknownRoleError(r);
  return [...new Set(roles)] as Role[];
}

/** A person's email as stored: trimmed, lower case, one @ with something either side. */
export function parseEmail(text: string): string {
  const email = text.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new PeopleRuleError(`"${text.trim()}" is not an email address`, 'invalid');
  return email;
}

export const NAME_MAX = 200;

/**
 * The rules for creating an account, pure: the CLI and the Admin page both ask them. A name is
 * any text (quotes, emoji, 80 characters of it) up to NAME_MAX; an account has a role at least.
 */
export function checkNewPerson(input: { email: string; name?: string; roles: Role[] }): { email: string; name: string; roles: Role[] } {
  const name = (input.name ?? '').trim();
  if (name.length > NAME_MAX) throw new PeopleRuleError(`a name has at most ${NAME_MAX} characters`, 'invalid');
  if (input.roles.length === 0) throw new PeopleRuleError('give the account a role at least (viewer reads only)', 'invalid');
  return { email: parseEmail(input.email), name, roles: input.roles };
}

export interface PersonRow {
  id: string;
  email: string;
  roles: Role[];
  disabledAt: Date | null;
}

/**
 * Why this change to `target` is refused, or null: pure, the same rules (and order) as the
 * database's check_people_change(). `by` is the admin making it, null for the operator at the
 * console; `otherActiveAdmins` counts the active admins besides the target.
 */
export function refusePeopleChange(change: {
  by: { id: string } | null;
  target: PersonRow;
  roles?: Role[];
  disabled?: boolean;
  otherActiveAdmins: number;
}): string | null {
  const { by, target } = change;
  const roles = change.roles ?? target.roles;
  const disabled = change.disabled ?? target.disabledAt !== null;
  const wasAdmin = target.disabledAt === null && target.roles.includes('admin');
  const staysAdmin = !disabled && roles.includes('admin');
  if (wasAdmin && !staysAdmin && change.otherActiveAdmins === 0) return `${target.email} is the last active admin: make someone else an admin first`;
  if (by?.id === target.id && disabled && target.disabledAt === null) return 'an admin cannot disable their own account';
  if (by?.id === target.id && target.roles.includes('admin') && !roles.includes('admin')) return 'an admin cannot remove their own admin role';
  return null;
}

/** A password people can type from a printout: 20 characters of base64url (120 bits). */
export const generatePassword = () => randomBytes(15).toString('base64url');

/**
 * Creates the account, or resets its password and roles when the email exists. Returns its id
 * and whether it was new. Without a password (Supabase Auth), the account has no local password
 * and links to the Supabase user at the first confirmed sign-in; a reset unlinks it again.
 */
export async function upsertUser(
  state: Pool | ClientBase,
  input: { email: string; name?: string; roles: Role[]; password: string | null },
): Promise<{ id: string; created: boolean }> {
  if (input.password !== null) checkPasswordStrength(input.password);
  const hash = input.password === null ? null : await hashPassword(input.password);
  const { rows } = await state.query(
    `INSERT INTO expand_contract.users (email, name, roles, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, roles = excluded.roles, name = coalesce(nullif(excluded.name, ''), users.name),
       disabled_at = NULL, auth_subject = NULL
     RETURNING id, (xmax = 0) AS created`,
    [input.email.trim().toLowerCase(), input.name ?? '', input.roles, hash],
  );
  // A reset password ends every open session of the account.
  if (!rows[0].created) await state.query('DELETE FROM expand_contract.sessions WHERE user_id = $1', [rows[0].id]);
  return { id: rows[0].id, created: rows[0].created };
}

/**
 * Who makes a change to people, and how it is written down: the CLI as itself ('cli', by null),
 * the dashboard as the signed-in admin (lib/data, inside withActor, so the database's policies
 * judge the same writes). `record` writes the audit entry in the same transaction.
 */
export interface PeopleWriter {
  client: ClientBase;
  by: { id: string } | null;
  record: (action: string, detail: object) => Promise<void>;
}

/** The account, locked for the change (read as the writer: a non-admin finds only themself). */
export async function findPerson(client: ClientBase, emailText: string, lock = false): Promise<PersonRow> {
  const email = emailText.trim().toLowerCase();
  const { rows } = await client.query(`SELECT id, email, roles, disabled_at FROM expand_contract.users WHERE email = $1${lock ? ' FOR UPDATE' : ''}`, [email]);
  if (!rows[0]) throw new UnknownPersonError(email);
  return { id: rows[0].id, email: rows[0].email, roles: rows[0].roles, disabledAt: rows[0].disabled_at };
}

/** Asks refusePeopleChange with the count of the other active admins; throws its reason. */
export async function checkPeopleChange(w: Pick<PeopleWriter, 'client' | 'by'>, target: PersonRow, change: { roles?: Role[]; disabled?: boolean }) {
  const { rows } = await w.client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM expand_contract.users WHERE id <> $1 AND disabled_at IS NULL AND 'admin' = ANY (roles)",
    [target.id],
  );
  const reason = refusePeopleChange({ by: w.by, target, ...change, otherActiveAdmins: rows[0]!.n });
  if (reason) throw new PeopleRuleError(reason);
}

/** A new account (an existing email is refused: its roles are changed, not re-created). */
export async function createPerson(
  w: PeopleWriter,
  input: { email: string; name?: string; roles: Role[]; password: string | null },
): Promise<{ id: string; email: string }> {
  const person = checkNewPerson(input);
  if (input.password !== null) checkPasswordStrength(input.password);
  const hash = input.password === null ? null : await hashPassword(input.password);
  const { rows } = await w.client.query(
    'INSERT INTO expand_contract.users (email, name, roles, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id',
    [person.email, person.name, person.roles, hash],
  );
  if (!rows[0]) throw new PeopleRuleError(`${person.email} already has an account: change its roles in the list instead`, 'conflict');
  await w.record('user.created', { email: person.email, name: person.name, roles: person.roles });
  return { id: rows[0].id, email: person.email };
}

export async function setPersonRoles(w: PeopleWriter, email: string, roles: Role[]): Promise<void> {
  if (roles.length === 0) throw new PeopleRuleError('give the account a role at least (viewer reads only)', 'invalid');
  const target = await findPerson(w.client, email, true);
  await checkPeopleChange(w, target, { roles });
  await w.client.query('UPDATE expand_contract.users SET roles = $2 WHERE id = $1', [target.id, roles]);
  await w.record('user.roles-changed', { email: target.email, roles, previous: target.roles });
}

/**
 * A person in the rotation, or with an override still to come, stays enabled: disabled, they would
 * still be on call for their shift but could no longer approve or run a contract, and nobody else
 * could either. The database refuses the same (check_people_change).
 */
async function refuseWhileOnCall(client: ClientBase, target: PersonRow): Promise<void> {
  const { rows } = await client.query<{ rotation: boolean; overrides: number }>(
    `SELECT EXISTS (SELECT 1 FROM expand_contract.oncall_rotation WHERE user_id = $1) AS rotation,
            (SELECT count(*)::int FROM expand_contract.oncall_overrides WHERE user_id = $1 AND ends_at > now()) AS overrides`,
    [target.id],
  );
  const { rotation, overrides } = rows[0]!;
  if (!rotation && overrides === 0) return;
  const where = [rotation ? 'the on-call rotation' : null, overrides > 0 ? `${overrides} on-call override(s) still to come` : null]
    .filter(Boolean)
    .join(' and ');
  throw new PeopleRuleError(`${target.email} is in ${where}: take them out first, then disable the account`, 'conflict');
}

/** Disables an account (its sessions end: the database's trigger) or enables it again. */
export async function setPersonDisabled(w: PeopleWriter, email: string, disabled: boolean): Promise<void> {
  const target = await findPerson(w.client, email, true);
  if (disabled === (target.disabledAt !== null)) return;
  await checkPeopleChange(w, target, { disabled });
  if (disabled) await refuseWhileOnCall(w.client, target);
  await w.client.query(`UPDATE expand_contract.users SET disabled_at = ${disabled ? 'now()' : 'NULL'} WHERE id = $1`, [target.id]);
  await w.record(disabled ? 'user.disabled' : 'user.enabled', { email: target.email });
}

/** An active account's id, for the rotation and overrides: a disabled person cannot be on call. */
async function activePersonId(client: ClientBase, email: string): Promise<string> {
  const person = await findPerson(client, email);
  if (person.disabledAt) throw new PeopleRuleError(`${person.email} is disabled: enable the account before putting it on call`, 'invalid');
  return person.id;
}

/** Replaces the rotation and its shifts in the writer's transaction: never seen half replaced. */
export async function setRotation(w: PeopleWriter, input: { emails: string[]; startsAt: Date; shiftDays: number }): Promise<void> {
  const emails = input.emails.map((e) => e.trim().toLowerCase());
  if (emails.length === 0) throw new PeopleRuleError('name the people in the rotation, in order', 'invalid');
  if (new Set(emails).size !== emails.length) throw new PeopleRuleError('each person appears in the rotation once', 'invalid');
  const shiftDays = checkShiftDays(input.shiftDays);
  if (Number.isNaN(input.startsAt.getTime())) throw new PeopleRuleError('the rotation needs a start time', 'invalid');
  const ids: string[] = [];
  for (const e of emails) ids.push(await activePersonId(w.client, e));
  await w.client.query('DELETE FROM expand_contract.oncall_rotation WHERE true');
  for (const [i, id] of ids.entries()) await w.client.query('INSERT INTO expand_contract.oncall_rotation (position, user_id) VALUES ($1, $2)', [i, id]);
  await w.client.query('SELECT expand_contract.set_oncall_shifts($1, $2)', [input.startsAt, shiftDays]);
  await w.record('oncall.rotation-set', { emails, startsAt: input.startsAt.toISOString(), shiftDays });
}

export async function addOverride(w: PeopleWriter, input: { email: string; from: Date; to: Date; reason?: string }): Promise<number> {
  checkOverrideWindow(input.from, input.to);
  const reason = (input.reason ?? '').trim();
  if (reason.length > NAME_MAX) throw new PeopleRuleError(`a reason has at most ${NAME_MAX} characters`, 'invalid');
  const userId = await activePersonId(w.client, input.email);
  const { rows } = await w.client.query(
    'INSERT INTO expand_contract.oncall_overrides (user_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4) RETURNING id',
    [userId, input.from, input.to, reason],
  );
  await w.record('oncall.override', {
    email: input.email.trim().toLowerCase(),
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    ...(reason && { reason }),
  });
  return Number(rows[0].id);
}

export async function removeOverride(w: PeopleWriter, id: number): Promise<void> {
  const { rows } = await w.client.query(
    `DELETE FROM expand_contract.oncall_overrides o USING expand_contract.users u WHERE o.id = $1 AND u.id = o.user_id
     RETURNING u.email, o.starts_at, o.ends_at`,
    [id],
  );
  if (!rows[0]) throw new PeopleRuleError('no such override: it was removed already', 'conflict');
  await w.record('oncall.override-removed', { email: rows[0].email, from: rows[0].starts_at.toISOString(), to: rows[0].ends_at.toISOString() });
}
