import { describe, expect, it } from 'vitest';
import { fingerprint, generatedName, objectNames, slugify } from './names';
import { quoteIdent } from './quote';

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('generated names', () => {
  it('are readable when they fit', () => {
    expect(objectNames('leads', 'user_email', 'contact_email')).toEqual({
      syncFunction: 'ec_sync_leads_user_email_contact_email',
      syncOldWriteFunction: 'ec_sync_old_leads_user_email_contact_email',
      syncTrigger: 'ec_sync_old_leads_user_email_contact_email',
      syncNewTrigger: 'ec_sync_new_leads_user_email_contact_email',
      syncInsertTrigger: 'ec_sync_ins_leads_user_email_contact_email',
      notNullCheck: 'ec_nn_leads_contact_email',
      archiveTable: 'ec_archive_leads_user_email',
    });
  });

  it('stay within 63 bytes, quote cleanly, and do not collide when long names share a prefix', () => {
    const a = generatedName('ec_sync', 'é'.repeat(40), 'column_a'.repeat(5), 'x');
    const b = generatedName('ec_sync', 'é'.repeat(40), 'column_a'.repeat(5), 'y');
    expect(bytes(a)).toBeLessThanOrEqual(63);
    expect(bytes(b)).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(() => quoteIdent(a)).not.toThrow();
    expect(generatedName('ec_sync', 'é'.repeat(40), 'column_a'.repeat(5), 'x')).toBe(a); // deterministic
  });

  it('fingerprint is FNV-1a 32-bit', () => {
    expect(fingerprint('')).toBe('811c9dc5');
    expect(fingerprint('a')).toBe('e40c292c');
  });

  it('slugs are file-name safe', () => {
    expect(slugify('rename', 'We"ird Table', 'Ünïcödé ✉', 'to', 'x')).toBe('rename_we_ird_table_unicode_to_x');
    expect(slugify('***')).toBe('change');
    expect(slugify('a'.repeat(100)).length).toBeLessThanOrEqual(60);
  });
});
