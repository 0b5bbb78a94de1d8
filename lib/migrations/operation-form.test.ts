import { describe, expect, it } from 'vitest';
import { operationFromForm } from './operation-form';

describe('operationFromForm', () => {
  it.each([
    [
      { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
      { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' },
    ],
    [
      { kind: 'add-column', schema: 'public', table: 'users', column: 'plan', type: 'text', notNull: 'on', default: "'free'", backfill: '' },
      { kind: 'add-column', schema: 'public', table: 'users', column: 'plan', type: 'text', notNull: true, default: "'free'", backfill: undefined },
    ],
    [
      { kind: 'set-not-null', schema: 'public', table: 'users', column: 'verified', fill: ' ' },
      { kind: 'set-not-null', schema: 'public', table: 'users', column: 'verified', fill: undefined },
    ],
    [
      { kind: 'drop-column', schema: 'public', table: 'users', column: 'legacy_field', extra: 'ignored' },
      { kind: 'drop-column', schema: 'public', table: 'users', column: 'legacy_field' },
    ],
  ])('reads %j', (fields, spec) => {
    expect(operationFromForm(fields)).toEqual({ ok: true, spec });
  });

  it('names each missing or bad field', () => {
    expect(
      operationFromForm({
        kind: 'change-type',
        schema: 'public',
        table: 'orders',
        column: 'status',
        newColumn: 'x'.repeat(64),
        newType: 'integer',
        forward: '',
        reverse: '',
      }),
    ).toEqual({
      ok: false,
      fieldErrors: { newColumn: 'at most 63 characters', forward: 'required', reverse: 'required' },
    });
    expect(operationFromForm({ kind: 'rename-everything' })).toMatchObject({ ok: false, fieldErrors: { kind: expect.any(String) } });
  });
});
