import { describe, expect, it } from 'vitest';
import { checkConnection, ConnectionError } from '../lib/db/check-connection';
import { ephemeralPort } from '../lib/db/free-port';
import { loginUrl } from './helpers/test-database';

function withChanges(change: (u: URL) => void): string {
  const url = new URL(loginUrl('state'));
  change(url);
  return url.toString();
}

describe('checkConnection', () => {
  it('returns the server version of a reachable database', async () => {
    const { serverVersion } = await checkConnection('DATABASE_URL', loginUrl('state'));
    expect(serverVersion).toMatch(/^\d+(\.\d+)?/);
  });

  it('names the variable and the host when nothing listens there', async () => {
    const port = await ephemeralPort();
    const error = await checkConnection('TARGET_DATABASE_URL', `postgresql://app:s3cret@127.0.0.1:${port}/app`).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe(
      `TARGET_DATABASE_URL: cannot connect to 127.0.0.1:${port}: connection refused (is the server running and listening on that port?)`,
    );
    expect(error.message).not.toContain('s3cret');
  });

  it('explains a wrong password without echoing it', async () => {
    const url = withChanges((u) => (u.password = 'definitely-wrong'));
    const error = await checkConnection('DATABASE_URL', url).catch((e) => e);
    expect(error.message).toMatch(/^DATABASE_URL: cannot connect to 127\.0\.0\.1:\d+: password authentication failed for user "expand_contract_state"$/);
  });

  it('explains a database that does not exist', async () => {
    const url = withChanges((u) => (u.pathname = '/no_such_db'));
    const error = await checkConnection('DATABASE_URL', url).catch((e) => e);
    expect(error.reason).toBe('database "no_such_db" does not exist');
  });
});
