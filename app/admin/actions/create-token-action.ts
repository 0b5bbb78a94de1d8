'use server';
import type { TokenState } from '@/lib/actions/token-state';
import { formFields, guardedAction } from '@/lib/auth/guarded-action';
import { createTokenAs } from '@/lib/data/manage-tokens';
import { statePool } from '@/lib/db/pools';
import { SQL_STATE, sqlState } from '@/lib/db/sql-state';
import { ADMINS } from './admins';

export const createTokenAction = guardedAction({ who: ADMINS, input: formFields, revalidate: () => '/admin' }, async (actor, fields): Promise<TokenState> => {
  // Empty optional fields mean "not given"; lib/data checks the rest.
  const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
  try {
    const { token, record } = await createTokenAs(statePool(), actor, given);
    return { token, ok: `created token ${record.id}: copy it now, it is shown only once` };
  } catch (error) {
    // The only foreign key a token has is the migration it is scoped to.
    if (sqlState(error) === SQL_STATE.foreignKeyViolation) return { error: 'that migration does not exist' };
    throw error;
  }
});
