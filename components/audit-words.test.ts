import { describe, expect, it } from 'vitest';
import { describeAuditEntry } from './audit-words';

const words = (action: string, detail: Record<string, unknown> = {}) => describeAuditEntry({ action, detail });

describe('describeAuditEntry: what happened, in words', () => {
  it.each([
    ['plan.approved', { note: 'looks right' }, 'approved the plan'],
    ['contract.approved', {}, 'approved the contract'],
    ['deploy.marked', {}, 'marked the deploy'],
    ['session.sign-in', {}, 'signed in'],
    ['session.sign-in', { via: 'supabase' }, 'signed in with Supabase'],
    ['phase.requested', { phase: 'expand' }, 'asked to run expand'],
    ['phase.succeeded', { phase: 'backfill', source: 'executor' }, 'ran backfill: succeeded'],
    ['phase.failed', { phase: 'contract', error: 'lock timeout' }, 'ran contract: failed'],
    ['phase.refused-or-failed', { phase: 'expand', error: 'no' }, 'tried to run expand: refused or failed'],
    ['token.created', { id: 'tk1', scope: 'ingest', label: '' }, 'created an ingest token'],
    ['token.revoked', { id: 'tk1' }, 'revoked a token'],
    ['oncall.rotation-set', { emails: ['a@x', 'b@x'] }, 'set the on-call rotation'],
    ['user.created', { email: 'new@x', roles: ['viewer'] }, 'created an account'],
    ['user.roles-changed', { email: 'new@x', roles: ['author'], previous: ['viewer'] }, "changed an account's roles"],
    ['user.disabled', { email: 'new@x' }, 'disabled an account'],
    ['user.enabled', { email: 'new@x' }, 'enabled an account again'],
    ['oncall.override', { email: 'a@x', from: '2026-12-01T09:00:00.000Z', to: '2026-12-02T09:00:00.000Z' }, 'put someone on call in place of the rotation'],
    ['oncall.override-removed', { email: 'a@x' }, 'removed an on-call override'],
    ['migration.cancelled', { reason: 'picked the wrong column' }, 'cancelled the migration'],
    ['something.new-here', {}, 'something new here'],
  ])('%s %j → "%s"', (action, detail, sentence) => {
    expect(words(action, detail).says).toBe(sentence);
  });

  it('shows the fields worth a glance, named for people, without what the sentence says', () => {
    expect(words('phase.failed', { phase: 'contract', source: 'executor', error: 'canceling statement due to lock timeout' })).toEqual({
      says: 'ran contract: failed',
      fields: [
        { label: 'source', value: 'executor' },
        { label: 'error', value: 'canceling statement due to lock timeout' },
      ],
      session: false,
      failed: true,
    });
    expect(words('token.created', { id: 'tk1', scope: 'deploy', label: 'ci' }).fields).toEqual([
      { label: 'token', value: 'tk1' },
      { label: 'label', value: 'ci' },
    ]);
    expect(words('oncall.rotation-set', { emails: ['ona@x', 'otto@x'], shiftDays: 7 }).fields).toEqual([
      { label: 'rotation', value: 'ona@x → otto@x' },
      { label: 'shift days', value: '7' },
    ]);
    // A role change says whose, to what and from what; an override when, in UTC.
    expect(words('user.roles-changed', { email: 'new@x', roles: ['author', 'reviewer'], previous: ['viewer'] }).fields).toEqual([
      { label: 'email', value: 'new@x' },
      { label: 'roles', value: 'author, reviewer' },
      { label: 'roles before', value: 'viewer' },
    ]);
    expect(words('oncall.override', { email: 'a@x', from: '2026-12-01T09:00:00.000Z', to: '2026-12-02T09:00:00.000Z', reason: 'swap' }).fields).toEqual([
      { label: 'email', value: 'a@x' },
      { label: 'from', value: '2026-12-01 09:00 UTC' },
      { label: 'to', value: '2026-12-02 09:00 UTC' },
      { label: 'reason', value: 'swap' },
    ]);
  });

  it('says times in UTC to the minute, and counts a contract approval’s conditions instead of dumping them', () => {
    expect(words('deploy.marked', { deployedAt: '2026-11-30T14:00:05.123Z' }).fields).toEqual([{ label: 'deployed at', value: '2026-11-30 14:00 UTC' }]);
    const conditions = [
      { name: 'parity', met: true, detail: 'x' },
      { name: 'buffer', met: true, detail: 'y' },
      { name: 'approval', met: false, detail: 'z' },
    ];
    expect(words('contract.approved', { conditions }).fields).toEqual([{ label: 'conditions', value: '2 of 3 gate conditions met' }]);
  });

  it('keeps long text short at a glance and leaves nested objects to the full detail', () => {
    const [error] = words('phase.failed', { phase: 'x', error: 'e'.repeat(500) }).fields;
    expect(error!.value).toHaveLength(120);
    expect(error!.value.endsWith('…')).toBe(true);
    expect(words('deploy.unmarked', { was: { at: 1 } }).fields).toEqual([]);
    expect(words('services.changed', { services: null }).fields).toEqual([{ label: 'services', value: 'every service' }]);
    expect(words('services.changed', { services: ['web', 'jobs'] }).fields).toEqual([{ label: 'services', value: 'web, jobs' }]);
  });

  it('marks sign-ins as sessions, and leaves out the demo history’s seeded flag', () => {
    expect(words('session.sign-out').session).toBe(true);
    expect(words('plan.approved', { seeded: true })).toEqual({ says: 'approved the plan', fields: [], session: false, failed: false });
  });

  it('survives a detail that is not an object', () => {
    expect(describeAuditEntry({ action: 'plan.approved', detail: null as unknown as Record<string, unknown> }).fields).toEqual([]);
  });
});
