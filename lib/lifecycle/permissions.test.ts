import { describe, expect, it } from 'vitest';
import { permission, rollbackConfirmation, type Actor, type Role } from './permissions';

const actor = (id: string, roles: Role[]): Actor => ({ id, email: `${id}@x`, name: id, roles });
const base = { authorId: 'ann', onCallId: 'otto', planApprovals: 1, planApprovalsRequired: 1 };

describe('who may roll back', () => {
  it.each([
    ['the author, before the deploy', actor('ann', ['author']), null, true],
    ['the author, after the deploy', actor('ann', ['author']), new Date(), false],
    ['the author who is an on-call engineer but not on call now, after the deploy', actor('ann', ['author', 'oncall']), new Date(), false],
    ['the person on call now, after the deploy', actor('otto', ['oncall']), new Date(), true],
    ['the person on call now, before the deploy (the author rolls back then)', actor('otto', ['oncall']), null, false],
    ['a viewer, after the deploy', actor('vic', ['viewer']), new Date(), false],
  ] as const)('%s: %s', (_name, who, deployedAt, ok) => {
    expect(permission(who, { kind: 'phase.run', phase: 'rollback', ...base, deployedAt }).ok).toBe(ok);
  });

  it('names the deploy by its mark, in UTC to the minute', () => {
    expect(rollbackConfirmation(new Date('2026-12-01T14:05:59.999+01:00'))).toBe('deploy 2026-12-01 13:05');
  });
});

describe('who may preview a migration and run the replay (both reach the target)', () => {
  it.each([
    ['viewer', false],
    ['reviewer', false],
    ['oncall', false],
    ['author', true],
    ['admin', true],
  ] as const)('%s: %s', (role, ok) => {
    expect(permission(actor('p', [role]), { kind: 'migration.preview' }).ok).toBe(ok);
    expect(permission(actor('p', [role]), { kind: 'replay.run' }).ok).toBe(ok);
  });
});
