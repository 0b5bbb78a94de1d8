import { describe, expect, it } from 'vitest';
import { databaseOf, describeUrl, hostOf, isSupabaseTransactionPooler, localUrl, redactSecrets, withDatabase } from './connection-url';

describe('connection strings', () => {
  const url = 'postgresql://app:p%40ss@db.example.com:6543/shop';

  it('describes host, port and database without credentials', () => {
    expect(describeUrl(url)).toBe('db.example.com:6543/shop');
    expect(describeUrl('postgres://u@h')).toBe('h:5432/postgres');
    expect(hostOf(url)).toBe('db.example.com:6543');
    expect(databaseOf(url)).toBe('shop');
  });

  it('switches database and builds local URLs with escaped credentials', () => {
    expect(withDatabase(url, 'demo')).toBe('postgresql://app:p%40ss@db.example.com:6543/demo');
    const local = localUrl({ port: 5555, user: 'postgres', password: 'a/b@c', database: 'dashboard' });
    expect(local).toBe('postgresql://postgres:a%2Fb%40c@127.0.0.1:5555/dashboard');
    expect(decodeURIComponent(new URL(local).password)).toBe('a/b@c');
  });

  it('redacts passwords anywhere in a message', () => {
    expect(redactSecrets(`failed: ${url} and postgres://x:y@h/d`)).toBe('failed: postgresql://app:***@db.example.com:6543/shop and postgres://x:***@h/d');
    expect(redactSecrets('no secrets here')).toBe('no secrets here');
  });
});

describe('isSupabaseTransactionPooler', () => {
  it.each([
    ['postgresql://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres', true],
    ['postgresql://postgres:pw@db.abcdefghijkl.supabase.co:6543/postgres', true],
    ['postgresql://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres', false],
    ['postgresql://postgres:pw@db.abcdefghijkl.supabase.co:5432/postgres', false],
    ['postgresql://app:pw@db.example.com:6543/shop', false],
    ['postgresql://app:pw@notsupabase.com:6543/shop', false],
  ])('%s → %s', (url, pooled) => {
    expect(isSupabaseTransactionPooler(url)).toBe(pooled);
  });
});
