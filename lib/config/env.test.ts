import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv, supabaseAuthConfig } from './env';

describe('parseEnv', () => {
  it('fills defaults for the embedded default (nothing configured)', () => {
    const env = parseEnv({});
    expect(env).toEqual({
      DATABASE_URL: undefined,
      TARGET_DATABASE_URL: undefined,
      HOST: '127.0.0.1',
      PORT: 3000,
      EC_DATA_DIR: undefined,
      EC_PG_PORT: 54329,
      EC_DEMO_LEADS: 100_000,
      EC_WORKER: 'on',
      EC_SAMPLE_SECONDS: 30,
      EC_OBSERVATION_MINUTES: 1440,
      EC_BUFFER_MINUTES: 4320,
      EC_ERROR_MARGIN: 0.25,
      EC_ERROR_MIN_REQUESTS: 100,
      EC_ERROR_MIN_ERRORS: 5,
      EC_RETENTION_RAW_DAYS: 7,
      EC_RETENTION_MINUTE_DAYS: 90,
      EC_DEMO_TRAFFIC: 20,
      EC_DEMO_MODE: 'auto',
      NEXT_PUBLIC_SUPABASE_URL: undefined,
      NEXT_PUBLIC_SUPABASE_ANON_KEY: undefined,
      EC_COOKIE_SECURE: 'auto',
      EC_TARGET_SCHEMAS: ['public'],
      TARGET_REPLICA_URLS: [],
      EC_REPLICA_LAG_CEILING_SECONDS: 1,
      EC_REQUIRE_BROWNOUT: 'off',
    });
  });

  it("refuses Supabase's transaction pooler for the state database only", () => {
    const pooled = 'postgresql://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres';
    expect(() => parseEnv({ DATABASE_URL: pooled })).toThrow("DATABASE_URL: is Supabase's transaction pooler (port 6543)");
    expect(parseEnv({ TARGET_DATABASE_URL: pooled }).TARGET_DATABASE_URL).toBe(pooled);
    expect(parseEnv({ DATABASE_URL: pooled.replace(':6543', ':5432') }).DATABASE_URL).toContain(':5432');
  });

  it('turns on Supabase Auth only with both the URL and the key, and names the missing one', () => {
    const key = 'eyJhbGciOiJIUzI1NiJ9.anon-key-of-the-project';
    expect(supabaseAuthConfig(parseEnv({}))).toBeNull();
    expect(supabaseAuthConfig(parseEnv({ NEXT_PUBLIC_SUPABASE_URL: 'https://abcd.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: key }))).toEqual({
      url: 'https://abcd.supabase.co',
      anonKey: key,
    });
    expect(() => parseEnv({ NEXT_PUBLIC_SUPABASE_URL: 'https://abcd.supabase.co' })).toThrow(
      'NEXT_PUBLIC_SUPABASE_ANON_KEY: must be set with NEXT_PUBLIC_SUPABASE_URL',
    );
    expect(() => parseEnv({ NEXT_PUBLIC_SUPABASE_ANON_KEY: key })).toThrow('NEXT_PUBLIC_SUPABASE_URL: must be set with');
    expect(() => parseEnv({ NEXT_PUBLIC_SUPABASE_URL: 'postgresql://abcd.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: key })).toThrow('expected https://');
    expect(() => parseEnv({ NEXT_PUBLIC_SUPABASE_URL: 'https://abcd.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'short' })).toThrow('too short');
    expect(() => parseEnv({ EC_COOKIE_SECURE: 'yes' })).toThrow('EC_COOKIE_SECURE: must be auto, on or off');
  });

  it('treats empty values as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', PORT: ' ' }).DATABASE_URL).toBeUndefined();
    expect(parseEnv({ PORT: '' }).PORT).toBe(3000);
  });

  it('accepts both postgres URL schemes and a Supabase pooler URL', () => {
    const supabase = 'postgresql://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres';
    expect(parseEnv({ DATABASE_URL: supabase, TARGET_DATABASE_URL: 'postgres://u@h/db' })).toMatchObject({
      DATABASE_URL: supabase,
      TARGET_DATABASE_URL: 'postgres://u@h/db',
    });
  });

  it.each([
    [{ DATABASE_URL: 'localhost:5432/app' }, 'DATABASE_URL', 'has scheme "localhost", expected postgresql://'],
    [{ TARGET_DATABASE_URL: 'not a url' }, 'TARGET_DATABASE_URL', 'is not a URL (expected postgresql://user:password@host:5432/database)'],
    [{ TARGET_DATABASE_URL: 'https://example.com/db' }, 'TARGET_DATABASE_URL', 'has scheme "https", expected postgresql://'],
    [{ PORT: 'eighty' }, 'PORT', 'must be a port number'],
    [{ PORT: '0' }, 'PORT', 'must be between 1 and 65535'],
    [{ EC_PG_PORT: '5432.5' }, 'EC_PG_PORT', 'must be a whole number'],
    [{ EC_DEMO_LEADS: '10' }, 'EC_DEMO_LEADS', 'must be at least 1000'],
    [{ EC_WORKER: 'maybe' }, 'EC_WORKER', 'must be on or off'],
    [{ EC_TARGET_SCHEMAS: 'public,,app' }, 'EC_TARGET_SCHEMAS', 'must be a comma-separated list of schema names'],
    [{ TARGET_REPLICA_URLS: 'postgresql://r1:5432/app,r2:5432/app' }, 'TARGET_REPLICA_URLS', 'entry 2 has scheme "r2", expected postgresql://'],
    [{ EC_REPLICA_LAG_CEILING_SECONDS: '0' }, 'EC_REPLICA_LAG_CEILING_SECONDS', 'must be at least 0.1'],
  ])('names the bad variable: %j', (input, variable, problem) => {
    const error = (() => {
      try {
        parseEnv(input);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EnvError);
    expect(error).toMatchObject({ variable, problem, message: `${variable}: ${problem}` });
  });

  it('splits and trims the replica list', () => {
    expect(parseEnv({ TARGET_REPLICA_URLS: 'postgresql://u:p@r1:5432/app , postgres://r2/app' }).TARGET_REPLICA_URLS).toEqual([
      'postgresql://u:p@r1:5432/app',
      'postgres://r2/app',
    ]);
  });

  it('splits and trims the schema list', () => {
    expect(parseEnv({ EC_TARGET_SCHEMAS: 'public, app ,billing' }).EC_TARGET_SCHEMAS).toEqual(['public', 'app', 'billing']);
  });
});
