'use server';
import { headers } from 'next/headers';
import type { TokenFormState } from '@/components/token-form';
import { formFields, guardedAction } from '@/lib/auth/guarded-action';
import { createTokenAs } from '@/lib/data/manage-tokens';
import { statePool } from '@/lib/db/pools';
import { SQL_STATE, sqlState } from '@/lib/db/sql-state';
import { calendarFeedUrl, requestOrigin } from '@/lib/timeline/calendar-feed';
import { ADMINS } from './admins';

export const createTokenAction = guardedAction(
  { who: ADMINS, input: formFields, revalidate: () => '/admin' },
  async (actor, fields): Promise<TokenFormState> => {
    // Empty optional fields mean "not given"; lib/data checks the rest.
    const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
    try {
      const { token, record } = await createTokenAs(statePool(), actor, given);
      const ok = `created token ${record.id}: copy it now, it is shown only once`;
      if (record.scope !== 'calendar') return { token, ok };
      // The address the admin reached the dashboard at is the one their team's calendars can reach too.
      const h = await headers();
      const origin = requestOrigin((name) => h.get(name), 'http://127.0.0.1:3000');
      return { token, ok, feedUrl: calendarFeedUrl(origin, token) };
    } catch (error) {
      // The only foreign key a token has is the migration it is scoped to.
      if (sqlState(error) === SQL_STATE.foreignKeyViolation) return { error: 'that migration does not exist' };
      throw error;
    }
  },
);
