import { describe, expect, it } from 'vitest';
import { isSupabaseTransactionPooler } from './is-supabase-transaction-pooler';

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
