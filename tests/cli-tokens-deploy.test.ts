import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as markDeployed } from '../app/api/v1/migrations/[id]/deployed/route';
import { runPhase } from '../lib/executor/run-phase';
import { runCli } from './helpers/cli-process';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
const savedUrl = process.env.DATABASE_URL;
const env = () => ({ DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url });

async function cli(args: string[]) {
  const p = runCli(args, env());
  const code = await p.exited;
  return { code, out: p.output() };
}
// Each command is a new process that compiles its TypeScript at start (2–3 s, more on a busy machine):
// the tests below start a dozen each.
const MANY_COMMANDS_MS = 180_000;
const tokenIn = (out: string) => /^(ec_[A-Za-z0-9_-]{43})$/m.exec(out)?.[1];

beforeAll(async () => {
  w = await executorWorld('cli_tokens');
  process.env.DATABASE_URL = w.stateDb.url;
  await w.target.query(
    "CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 100) g",
  );
});
afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await w.close();
});

describe('tokens and deploy marking', () => {
  it(
    'creates an ingest token shown once, lists it without its value, and revokes it',
    async () => {
      const created = await cli(['token', 'create', 'ingest', 'web', '--label', 'prod web']);
      expect(created.code).toBe(0);
      const token = tokenIn(created.out)!;
      expect(token).toBeDefined();
      const listed = await cli(['token', 'list']);
      expect(listed.out).toMatch(/ingest for web \(prod web\) .* never used/);
      expect(listed.out).not.toContain(token);
      const id = /^([0-9a-f-]{36}) {2}ingest for web/m.exec(listed.out)![1]!;
      expect((await cli(['token', 'revoke', id])).code).toBe(0);
      expect((await cli(['token', 'list'])).out).toMatch(/ingest for web .* revoked /);
      expect(await cli(['token', 'revoke', id])).toMatchObject({ code: 1 });
      expect(await cli(['token', 'create', 'ingest'])).toMatchObject({ code: 2 });
      // Typed right, refused: exit 1, as status of an unknown migration.
      expect(await cli(['token', 'create', 'deploy', '--migration', '999'])).toMatchObject({
        code: 1,
        out: expect.stringContaining('migration 999'),
      });
    },
    MANY_COMMANDS_MS,
  );

  it(
    'marks a deploy once, from the CLI or a pipeline with a token scoped to that migration',
    async () => {
      const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' });
      const other = await w.register({ kind: 'add-column', schema: 'public', table: 'leads', column: 'note', type: 'text', notNull: false });
      const tooEarly = await cli(['deployed', String(id)]);
      expect(tooEarly).toMatchObject({ code: 1, out: expect.stringContaining(`migration ${id} is planned: a deploy can be marked only after expand`) });

      await runPhase({ store: w.store, target: w.target, signals: false }, id, 'expand');
      const scoped = tokenIn((await cli(['token', 'create', 'deploy', '--migration', String(other)])).out)!;
      const everywhere = tokenIn((await cli(['token', 'create', 'deploy'])).out)!;
      const ingest = tokenIn((await cli(['token', 'create', 'ingest', 'web'])).out)!;

      // A token for another migration, an ingest token, and no token at all are refused over HTTP, and mark nothing.
      const post = (token?: string) =>
        markDeployed(
          new Request(`http://127.0.0.1/api/v1/migrations/${id}/deployed`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} }),
          {
            params: Promise.resolve({ id: String(id) }),
          },
        );
      for (const t of [scoped, ingest, undefined]) expect((await post(t)).status).toBe(401);
      expect(await cli(['deployed', String(id), '--token', scoped])).toMatchObject({ code: 1, out: expect.stringContaining('not allowed') });
      expect((await w.store.getMigration(id)).deployedAt).toBeNull();

      const ok = await post(everywhere);
      expect(ok.status).toBe(200);
      const first = (await ok.json()).deployedAt;
      expect((await w.store.getMigration(id)).deployedBy).toMatch(/^token:[0-9a-f-]{36}$/);
      // A pipeline that runs twice does not restart the buffer.
      const again = await cli(['deployed', String(id)]);
      expect(again.code).toBe(0);
      expect((await w.store.getMigration(id)).deployedAt!.toISOString()).toBe(first);

      const status = await cli(['status', String(id), '--json']);
      const json = JSON.parse(status.out);
      expect(json.deploy).toMatchObject({ deployedAt: first, bufferMinutes: 4320 });
      expect(json.gate.reasons).toContainEqual(expect.stringMatching(/^buffer: 2 days 23 hours 59 minutes( \d+ seconds?)? left of 3 days since the deploy$/));
      expect(json.errors.map((p: { phase: string }) => p.phase)).toEqual(['expand', 'deploy']);
      const notFound = await markDeployed(
        new Request('http://127.0.0.1/api/v1/migrations/9999/deployed', { method: 'POST', headers: { authorization: `Bearer ${everywhere}` } }),
        {
          params: Promise.resolve({ id: '9999' }),
        },
      );
      expect(notFound.status).toBe(404);

      // A mark made by mistake is taken back at the console (never with a token), and audited; the next mark starts the buffer again.
      expect(await cli(['deployed', String(id), '--undo', '--token', everywhere])).toMatchObject({
        code: 2,
        out: expect.stringContaining('only people take a deploy mark back'),
      });
      const undone = await cli(['deployed', String(id), '--undo']);
      expect(undone).toMatchObject({ code: 0, out: expect.stringContaining(`the deploy mark of ${first}`) });
      expect((await w.store.getMigration(id)).deployedAt).toBeNull();
      expect(await cli(['deployed', String(id), '--undo'])).toMatchObject({ code: 1, out: expect.stringContaining('no deploy was marked') });
      const audit = await w.pool.query(
        "SELECT actor, detail->>'deployedAt' AS was FROM expand_contract.audit_log WHERE action = 'deploy.unmarked' AND migration_id = $1",
        [id],
      );
      expect(audit.rows).toEqual([{ actor: expect.stringMatching(/^cli:/), was: expect.any(String) }]);
      expect(new Date(audit.rows[0].was).toISOString()).toBe(first);
      expect((await cli(['deployed', String(id)])).code).toBe(0);
      expect((await w.store.getMigration(id)).deployedAt!.getTime()).toBeGreaterThan(new Date(first).getTime());
    },
    MANY_COMMANDS_MS,
  );
});
