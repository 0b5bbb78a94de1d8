import { describe, expect, it } from 'vitest';
import { checkNewPerson, parseEmail, parseRoles, PeopleRuleError, refusePeopleChange, UnknownRoleError, type PersonRow } from './manage-users';

const admin: PersonRow = { id: 'a', email: 'ama@x.example', roles: ['admin'], disabledAt: null };
const author: PersonRow = { id: 'b', email: 'ada@x.example', roles: ['author'], disabledAt: null };

describe('who may change whom: the rules the CLI, the Admin page and the database share', () => {
  it.each([
    [
      'the last active admin disabled by the operator',
      null,
      admin,
      { disabled: true },
      0,
      'ama@x.example is the last active admin: make someone else an admin first',
    ],
    ['the last active admin demoted by the operator', null, admin, { roles: ['author'] as const }, 0, 'ama@x.example is the last active admin'],
    ['the last active admin disabling themself', admin, admin, { disabled: true }, 0, 'is the last active admin'],
    ['an admin disabling themself, another admin left', admin, admin, { disabled: true }, 1, 'an admin cannot disable their own account'],
    ['an admin dropping their own admin role', admin, admin, { roles: ['author'] }, 1, 'an admin cannot remove their own admin role'],
  ] as const)('refuses %s', (_name, by, target, change, others, reason) => {
    expect(refusePeopleChange({ by, target, ...change, roles: 'roles' in change ? [...change.roles] : undefined, otherActiveAdmins: others })).toContain(
      reason,
    );
  });

  it('allows the rest: a second admin demoted, an author disabled, an admin adding roles to themself, a disabled admin enabled', () => {
    const other = { id: 'z', email: 'zed@x.example', roles: ['admin'], disabledAt: null } as PersonRow;
    expect(refusePeopleChange({ by: admin, target: other, roles: ['viewer'], otherActiveAdmins: 1 })).toBeNull();
    expect(refusePeopleChange({ by: admin, target: author, disabled: true, otherActiveAdmins: 1 })).toBeNull();
    expect(refusePeopleChange({ by: admin, target: admin, roles: ['admin', 'oncall'], otherActiveAdmins: 0 })).toBeNull();
    expect(refusePeopleChange({ by: null, target: { ...other, disabledAt: new Date() }, disabled: false, otherActiveAdmins: 0 })).toBeNull();
    // Demoting an already disabled admin leaves the active admins as they were.
    expect(refusePeopleChange({ by: admin, target: { ...other, disabledAt: new Date() }, roles: ['viewer'], otherActiveAdmins: 0 })).toBeNull();
  });

  it('takes any name up to 200 characters (quotes, emoji), a real-looking email and at least one known role', () => {
    const name = `Zoë "the 'Quoted'" O’Brien 🚀${'x'.repeat(50)}`;
    expect(checkNewPerson({ email: ' New@X.example ', name, roles: ['viewer'] })).toEqual({ email: 'new@x.example', name, roles: ['viewer'] });
    expect(() => checkNewPerson({ email: 'a@x', name: 'n'.repeat(201), roles: ['viewer'] })).toThrow('at most 200 characters');
    expect(() => checkNewPerson({ email: 'a@x', roles: [] })).toThrow(PeopleRuleError);
    expect(() => parseEmail('not an email')).toThrow('is not an email address');
    expect(parseRoles('author, reviewer,author')).toEqual(['author', 'reviewer']);
    expect(() => parseRoles('author,root')).toThrow(UnknownRoleError);
  });
});
