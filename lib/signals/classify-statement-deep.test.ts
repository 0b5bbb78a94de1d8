import { describe, expect, it } from 'vitest';
import { parseSql } from '../sql/parse-sql';
import type { ClassifyOptions, ColumnTarget } from './classify-statement';
import { classifyStatementDeep, type DeepUsage } from './classify-statement-deep';

const TARGET: ColumnTarget = { schema: 'public', table: 'leads', column: 'user_email' };
const OPTIONS: ClassifyOptions = {
  searchPath: ['public'],
  readers: [{ schema: 'public', name: 'lead_emails' }],
  readerFunctions: [{ schema: 'public', name: 'lead_count' }],
};

const NONE: DeepUsage = { reads: false, writes: false, star: false, dynamic: false };
const READ: DeepUsage = { reads: true, writes: false, star: false, dynamic: false };

async function classify(sql: string): Promise<DeepUsage> {
  const { statements } = await parseSql(sql);
  expect(statements).toHaveLength(1);
  return classifyStatementDeep(statements[0]!.stmt, TARGET, OPTIONS);
}

describe('classifyStatementDeep', () => {
  it.each<{ name: string; sql: string; expected: DeepUsage }>([
    { name: 'a plain statement, as classifyStatement', sql: 'SELECT user_email FROM leads', expected: READ },
    { name: 'a plain statement through a view', sql: 'SELECT count(*) FROM lead_emails', expected: READ },
    { name: 'PERFORM in a DO block', sql: 'DO $$ BEGIN PERFORM user_email FROM leads; END $$', expected: READ },
    { name: 'a DO block with its language', sql: "DO LANGUAGE plpgsql $$ BEGIN RAISE NOTICE '%', (SELECT max(user_email) FROM leads); END $$", expected: READ },
    { name: 'a DO block writing the column', sql: 'DO $$ BEGIN UPDATE leads SET user_email = NULL WHERE id = 1; END $$', expected: { ...NONE, writes: true } },
    { name: 'a DO block reading and writing', sql: 'DO $$ BEGIN UPDATE leads SET user_email = lower(user_email); END $$', expected: { ...READ, writes: true } },
    {
      name: 'a DO block with only SELECT *',
      sql: 'DO $$ DECLARE r record; BEGIN FOR r IN SELECT * FROM leads LOOP END LOOP; END $$',
      expected: { ...READ, star: true },
    },
    {
      name: 'a DO block with * and a named read',
      sql: 'DO $$ DECLARE r record; BEGIN FOR r IN SELECT * FROM leads LOOP END LOOP; PERFORM user_email FROM leads; END $$',
      expected: READ,
    },
    { name: 'a DO block calling a reader function', sql: 'DO $$ BEGIN PERFORM lead_count(); END $$', expected: READ },
    { name: 'a DO block about other columns', sql: 'DO $$ BEGIN PERFORM contact_email FROM leads; END $$', expected: NONE },
    { name: 'a constant EXECUTE in a DO block', sql: "DO $$ BEGIN EXECUTE 'SELECT user_email FROM leads'; END $$", expected: READ },
    {
      name: 'a dynamic EXECUTE in a DO block',
      sql: "DO $$ DECLARE c text := 'user_email'; BEGIN EXECUTE format('SELECT %I FROM leads', c); END $$",
      expected: { ...NONE, dynamic: true },
    },
    {
      name: 'a dynamic EXECUTE beside a read',
      sql: "DO $$ BEGIN PERFORM user_email FROM leads; EXECUTE 'SELECT ' || 'user_email FROM leads'; END $$",
      expected: { ...READ, dynamic: true },
    },
    {
      name: 'a DO block in another language',
      sql: "DO LANGUAGE plpython3u $$ plpy.execute('SELECT user_email FROM leads') $$",
      expected: { ...NONE, dynamic: true },
    },
    { name: 'a DO block that does not compile', sql: 'DO $$ BEGIN PERFORM user_email FROM leads $$', expected: { ...NONE, dynamic: true } },
  ])('$name', async ({ sql, expected }) => {
    expect(await classify(sql)).toEqual(expected);
  });
});
