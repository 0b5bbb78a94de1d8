import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHealth } from '../lib/data/get-health';
import { closeAllPools } from '../lib/db/pools';
import { applyStateSchema, readStateSchema } from '../lib/db/state-schema';
import { createTestDatabase, type TestDatabase } from './helpers/test-database';

let state: TestDatabase;
let target: TestDatabase;
beforeAll(async () => {
  state = await createTestDatabase('health_state', 'state');
  target = await createTestDatabase('health_target');
  process.env.DATABASE_URL = state.url;
  process.env.TARGET_DATABASE_URL = target.url;
});
afterAll(async () => {
  await closeAllPools();
  await state.drop();
  await target.drop();
});

describe('getHealth', () => {
  it('shows an unmigrated state database as such, then the applied schema once migrated', async () => {
    const before = await getHealth();
    expect(before.state.database.ok).toBe(true);
    expect(before.state.migrations).toMatchObject({ ok: false });

    const files = await readStateSchema(path.join(process.cwd(), 'supabase', 'migrations'));
    await applyStateSchema(await state.client(), files.slice(0, -1));
    const partial = await getHealth();
    expect(partial.state.migrations).toEqual({
      ok: true,
      value: { applied: files.length - 1, latest: files.length > 1 ? expect.any(String) : null, pending: [files.at(-1)!.file] },
    });

    await applyStateSchema(await state.client(), files);
    const after = await getHealth();
    expect(after.state.migrations).toEqual({
      ok: true,
      value: { applied: files.length, latest: `${files.at(-1)!.version}_${files.at(-1)!.name}`, pending: [] },
    });
    expect(after.state.timeZone).toBe('UTC');
    expect(after.state.where).toBe(`127.0.0.1:${new URL(state.url).port}/${state.name}`);
  });

  it('reports the target version and whether legacy reads can be measured', async () => {
    const first = await getHealth();
    expect(first.target.database).toMatchObject({ ok: true, value: { database: target.name, versionNum: expect.any(Number) } });
    expect(first.target.statStatements).toEqual({ ok: true, value: { state: 'not-installed', fix: 'run: CREATE EXTENSION pg_stat_statements;' } });
    await target.admin.query('CREATE EXTENSION pg_stat_statements'); // only a superuser may create it
    expect((await getHealth()).target.statStatements).toEqual({ ok: true, value: { state: 'ready', schema: 'public' } });
  });

  it('never carries a password, and says which side is down', async () => {
    const health = await getHealth();
    const password = decodeURIComponent(new URL(state.url).password);
    expect(JSON.stringify(health)).not.toContain(password);

    await target.drop();
    const down = await getHealth();
    expect(down.target.database.ok).toBe(false);
    expect(down.state.database.ok).toBe(true);
    target = await createTestDatabase('health_target');
  });
});
