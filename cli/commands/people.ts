import { parseArgs } from 'node:util';
import {
  addOverride,
  checkNewPerson,
  checkPeopleChange,
  findPerson,
  generatePassword,
  parseRoles,
  type PeopleWriter,
  setPersonDisabled,
  setPersonRoles,
  setRotation,
  UnknownPersonError,
  UnknownRoleError,
  upsertUser,
} from '../../lib/auth/manage-users';
import { OnCallRuleError, parseRotationEmails } from '../../lib/auth/on-call';
import { WeakPasswordError } from '../../lib/auth/password';
import { type Env, supabaseAuthConfig } from '../../lib/config/env';
import { withTransaction } from '../../lib/db/transaction';
import { commandOutput, reportFailure, UsageError } from '../output';
import { withStatePool } from '../target';
import { formatTable } from '../format-table';

const USER_USAGE = `usage:
  expand-contract user create <email> --role R[,R…] [--name N] [--password P]
                                    create an account, or reset the password and roles of an existing one
                                    (roles: viewer, author, reviewer, oncall, admin; a password is generated
                                    and printed once when none is given; with Supabase Auth configured no
                                    password: the account links to the Supabase user at its first sign-in)
  expand-contract user list [--json]
  expand-contract user disable <email>
                                    the account's sessions end; the last active admin stays
  expand-contract user enable <email>
  expand-contract user roles <email> --role R[,R…]`;

const ONCALL_USAGE = `usage:
  expand-contract oncall set <email>[,<email>…] [--starts ISO] [--shift-days N]
                                    the weekly rotation, in order (default: shifts of 7 days from --starts)
  expand-contract oncall override <email> --from ISO --to ISO [--reason R]
  expand-contract oncall show [--json]
                                    who is on call now and the rotation`;

export const PEOPLE_USAGE = `${USER_USAGE}\n${ONCALL_USAGE.replace('usage:\n', '')}`;

/** `user …` and `oncall …`: the operator at the console manages people. Exit 0 ok, 1 refused, 2 bad usage. */
export async function peopleCommand(command: 'user' | 'oncall', args: string[], env: Env, projectDir: string): Promise<number> {
  const usage = command === 'user' ? USER_USAGE : ONCALL_USAGE;
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    (args.length === 0 ? process.stderr : process.stdout).write(`${usage}\n`);
    return args.length === 0 ? 2 : 0;
  }
  const json = args.includes('--json');
  const { out, data } = commandOutput(json);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
        starts: { type: 'string' },
        'shift-days': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        reason: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    // Whatever parseArgs refuses is the command line's fault.
    return reportFailure(error, { usage: { errors: [Error], text: usage }, json });
  }
  const { positionals, values } = parsed;
  try {
    return await withStatePool(env, projectDir, async (state) => {
      // The operator at the console: no person, the same rules (lib/auth/manage-users), one transaction per change.
      const asOperator = <T>(fn: (w: PeopleWriter) => Promise<T>) =>
        withTransaction(state, (client) =>
          fn({
            client,
            by: null,
            record: async (action, detail) => {
              await client.query("INSERT INTO expand_contract.audit_log (actor, action, detail) VALUES ('cli', $1, $2)", [action, JSON.stringify(detail)]);
            },
          }),
        );
      const date = (text: string | undefined, flag: string) => {
        const d = new Date(text ?? '');
        if (!text || Number.isNaN(d.getTime())) throw new UsageError(`${flag} needs a date-time such as 2026-11-30T09:00:00Z`);
        return d;
      };
      const [sub, arg] = positionals;
      if (command === 'user' && sub === 'create') {
        if (!arg || !/^[^@\s]+@[^@\s]+$/.test(arg)) throw new UsageError('user create needs an email address');
        if (!values.role) throw new UsageError('user create needs --role, e.g. --role author,reviewer');
        // With Supabase Auth the password lives at Supabase: the account links at the first confirmed sign-in.
        const viaSupabase = supabaseAuthConfig(env) !== null;
        if (viaSupabase && values.password) throw new UsageError('passwords are kept by Supabase Auth here: leave out --password');
        const password = viaSupabase ? null : (values.password ?? generatePassword());
        const person = checkNewPerson({ email: arg, name: values.name, roles: parseRoles(values.role) });
        const { created } = await asOperator(async (w) => {
          // A reset gives the account these roles: the last active admin keeps theirs.
          const existing = await findPerson(w.client, person.email, true).catch((e) => (e instanceof UnknownPersonError ? null : Promise.reject(e)));
          if (existing) await checkPeopleChange(w, existing, { roles: person.roles, disabled: false });
          const result = await upsertUser(w.client, { ...person, password });
          await w.record(result.created ? 'user.created' : 'user.reset', { email: person.email, roles: person.roles });
          return result;
        });
        out(`${created ? 'created' : 'reset'} ${person.email} (${person.roles.join(',')})${created ? '' : '; its open sessions were ended'}`);
        if (viaSupabase)
          out(`signs in through Supabase Auth with this email, once Supabase has confirmed it${created ? '' : ' (links again at the next sign-in)'}`);
        else if (!values.password) out(`password (shown once): ${password}`);
        return 0;
      }
      if (command === 'user' && sub === 'list') {
        const { rows } = await state.query('SELECT email, name, roles, created_at, disabled_at FROM expand_contract.users ORDER BY email');
        if (json) {
          data(rows.map((u) => ({ email: u.email, name: u.name, roles: u.roles, createdAt: u.created_at, disabled: u.disabled_at !== null })));
          return 0;
        }
        if (rows.length === 0) out('no accounts yet: expand-contract user create you@example.com --role admin');
        else
          out(
            formatTable(
              ['email', 'roles', 'state', 'name'],
              rows.map((u) => [u.email, u.roles.join(','), u.disabled_at ? 'disabled' : 'active', u.name]),
              !!process.stdout.isTTY,
            ),
          );
        return 0;
      }
      if (command === 'user' && (sub === 'disable' || sub === 'enable')) {
        await asOperator((w) => setPersonDisabled(w, arg ?? '', sub === 'disable'));
        out(sub === 'disable' ? `disabled ${arg}; its sessions were ended` : `enabled ${arg}`);
        return 0;
      }
      if (command === 'user' && sub === 'roles') {
        if (!values.role) throw new UsageError('user roles needs --role, e.g. --role author,reviewer');
        await asOperator((w) => setPersonRoles(w, arg ?? '', parseRoles(values.role!)));
        out(`${arg} now has the roles ${values.role}`);
        return 0;
      }
      if (command === 'oncall' && sub === 'set') {
        const emails = parseRotationEmails(arg ?? '');
        if (emails.length === 0) throw new UsageError('oncall set needs the rotation: email,email,…');
        const starts = values.starts ? date(values.starts, '--starts') : new Date();
        const shiftDays = Number(values['shift-days'] ?? 7);
        await asOperator((w) => setRotation(w, { emails, startsAt: starts, shiftDays }));
        out(`rotation: ${emails.join(' → ')}, shifts of ${shiftDays} day(s) from ${starts.toISOString()}`);
        return 0;
      }
      if (command === 'oncall' && sub === 'override') {
        const [from, to] = [date(values.from, '--from'), date(values.to, '--to')];
        await asOperator((w) => addOverride(w, { email: arg ?? '', from, to, reason: values.reason }));
        out(`${arg} is on call from ${from.toISOString()} to ${to.toISOString()}`);
        return 0;
      }
      if (command === 'oncall' && sub === 'show') {
        const { rows } = await state.query('SELECT u.email FROM expand_contract.users u WHERE u.id = expand_contract.on_call_at(now())');
        const rotation = await state.query(
          'SELECT u.email FROM expand_contract.oncall_rotation r JOIN expand_contract.users u ON u.id = r.user_id ORDER BY r.position',
        );
        if (json) {
          data({ onCallNow: rows[0]?.email ?? null, rotation: rotation.rows.map((r) => r.email as string) });
          return 0;
        }
        out(`on call now: ${rows[0]?.email ?? 'nobody (set a rotation: expand-contract oncall set …)'}`);
        out(`rotation: ${rotation.rows.map((r) => r.email).join(' → ') || 'none'}`);
        return 0;
      }
      throw new UsageError(`unknown ${command} command ${JSON.stringify(sub ?? '')}`);
    });
  } catch (error) {
    // A role or password given on the command line is part of typing it (no usage text: it was not the syntax).
    return reportFailure(error, { usage: { errors: [UsageError, UnknownRoleError, WeakPasswordError, UnknownPersonError, OnCallRuleError] }, json });
  }
}
