import { describe, expect, it } from 'vitest';
import { recordedIsFile } from './recorded-is-file';

const file = "-- widgets\nCREATE TABLE widgets (id int PRIMARY KEY, note text DEFAULT 'in progress');\n\nSELECT split_part('a;b', ';', 1);\n-- the end\n";

describe('what was recorded for a state migration, against its file', () => {
  it('is the file when this runner recorded it whole, or the Supabase CLI split it into trimmed statements', () => {
    expect(recordedIsFile([file], file)).toBe(true);
    expect(
      recordedIsFile(
        ["-- widgets\nCREATE TABLE widgets (id int PRIMARY KEY, note text DEFAULT 'in progress')", "SELECT split_part('a;b', ';', 1)", '-- the end'],
        file,
      ),
    ).toBe(true);
  });

  it('is not the file after any edit, inside strings too', () => {
    const split = (sql: string) => [sql.split(';\n')[0]!.trimEnd(), "SELECT split_part('a;b', ';', 1)", '-- the end'];
    expect(recordedIsFile(split(file.replace('in progress', 'inprogress')), file)).toBe(false);
    expect(
      recordedIsFile(
        ["-- widgets\nCREATE TABLE widgets (id int PRIMARY KEY, note text DEFAULT 'in progress')", "SELECT split_part('ab', '', 1)", '-- the end'],
        file,
      ),
    ).toBe(false);
    expect(recordedIsFile([file.replace('int PRIMARY', 'bigint PRIMARY')], file)).toBe(false);
    // A statement missing, or one more: not this file.
    expect(recordedIsFile(["-- widgets\nCREATE TABLE widgets (id int PRIMARY KEY, note text DEFAULT 'in progress')", '-- the end'], file)).toBe(false);
    expect(recordedIsFile([...split(file), 'DROP TABLE widgets'], file)).toBe(false);
  });
});
