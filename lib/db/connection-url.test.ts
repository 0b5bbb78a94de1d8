import { describe, expect, it } from 'vitest';
import { databaseOf, describeUrl, hostOf, localUrl, redactSecrets, withDatabase } from './connection-url';

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
