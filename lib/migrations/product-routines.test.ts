import { describe, expect, it } from 'vitest';
import { objectNames } from './names';
import { isProductRoutine } from './product-routines';

describe('isProductRoutine', () => {
  it('knows the sync and fill functions and triggers a plan creates, however long the names', () => {
    const long = 'a'.repeat(60);
    for (const names of [objectNames('leads', 'user_email', 'contact_email'), objectNames(long, long, long)]) {
      for (const name of [names.syncFunction, names.syncOldWriteFunction, names.syncTrigger, names.syncNewTrigger, names.syncInsertTrigger]) {
        expect(isProductRoutine(name), name).toBe(true);
      }
    }
    expect(isProductRoutine('ec_fill_users_verified')).toBe(true);
  });

  it("leaves a user's functions and triggers alone", () => {
    for (const name of ['lead_count', 'sync_leads', 'ec_helper', 'EC_SYNC_X']) expect(isProductRoutine(name), name).toBe(false);
  });
});
