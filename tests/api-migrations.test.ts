import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ErrorBody } from '../lib/api/error-body';
import type { migrationStatusBodySchema } from '../lib/api/migration-status-body';
import type { migrationListBodySchema } from '../lib/api/migration-summary-body';
import { GET as feed } from '../app/api/v1/calendar.ics/route';
import { POST as ingest } from '../app/api/v1/metrics/route';
import { GET as readMigration } from '../app/api/v1/migrations/[id]/route';
import { POST as markDeployed } from '../app/api/v1/migrations/[id]/deployed/route';
import { GET as listMigrations } from '../app/api/v1/migrations/route';
import { createApiToken, revokeApiToken, type TokenScope } from '../lib/auth/api-tokens';
import { describeUrl } from '../lib/db/connection-url';
import { closeAllPools } from '../lib/db/pools';
import { runPhase } from '../lib/executor/run-phase';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';
import { documentSchemas } from './helpers/openapi-answers';

let w: ExecutorWorld;
const ids = { rename: 0, note: 0 };
const tokens = { everywhere: '', scoped: '', ingest: '', calendar: '', revoked: '' };
const saved = { state: process.env.DATABASE_URL, target: process.env.TARGET_DATABASE_URL };
const { answerProblems } = documentSchemas();

async function token(scope: TokenScope, over: { service?: string; migrationId?: number } = {}) {
  return (await createApiToken(w.pool, { scope, createdBy: 'test', ...over })).token;
}

beforeAll(async () => {
  w = await executorWorld('api_migrations');
  // The routes read both databases from the environment, as in the running dashboard.
  process.env.DATABASE_URL = w.stateDb.url;
  process.env.TARGET_DATABASE_URL = w.targetDb.url;
  await w.target.query(
    "CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads SELECT g, 'e' || g || '@example.com' FROM generate_series(1, 200) g",
  );
  ids.rename = await w.register({ kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' });
  ids.note = await w.register({ kind: 'add-column', schema: 'public', table: 'leads', column: 'note', type: 'text', notNull: false });
  await runPhase({ store: w.store, target: w.target, signals: false }, ids.rename, 'expand');
  tokens.everywhere = await token('deploy');
  tokens.scoped = await token('deploy', { migrationId: ids.note });
  tokens.ingest = await token('ingest', { service: 'web' });
  tokens.calendar = await token('calendar');
  const revoked = await createApiToken(w.pool, { scope: 'deploy', createdBy: 'test' });
  await revokeApiToken(w.pool, revoked.record.id);
  tokens.revoked = revoked.token;
});
afterAll(async () => {
  await closeAllPools();
  process.env.DATABASE_URL = saved.state;
  process.env.TARGET_DATABASE_URL = saved.target;
  await w.close();
});

const bearer = (t: string | undefined): Record<string, string> => (t ? { authorization: `Bearer ${t}` } : {});
const list = (t?: string) => listMigrations(new Request('http://127.0.0.1/api/v1/migrations', { headers: bearer(t) }));
const read = (id: string | number, t?: string) =>
  readMigration(new Request(`http://127.0.0.1/api/v1/migrations/${id}`, { headers: bearer(t) }), { params: Promise.resolve({ id: String(id) }) });
const deploy = (id: number, t: string) =>
  markDeployed(new Request(`http://127.0.0.1/api/v1/migrations/${id}/deployed`, { method: 'POST', headers: bearer(t) }), {
    params: Promise.resolve({ id: String(id) }),
  });

/** The answer's status and body, after checking that the body is what the OpenAPI document says that route answers with that status. */
async function documented<Body = ErrorBody>(response: Response, path: string, method: 'get' | 'post') {
  const text = await response.text();
  const body: unknown = JSON.parse(text);
  expect(answerProblems(path, method, response.status, body), `${method} ${path} ${response.status}: ${text.slice(0, 300)}`).toEqual([]);
  // The document's schema was just checked; the type is what that schema's wire side is.
  return { status: response.status, body: body as Body, text };
}
type List = z.input<typeof migrationListBodySchema>;
type Status = z.input<typeof migrationStatusBodySchema>;

/** Nothing a token holder must not learn: the target's address, a connection string, a password, a token. */
function expectNoSecrets(text: string) {
  for (const url of [w.stateDb.url, w.targetDb.url]) {
    expect(text).not.toContain(describeUrl(url));
    expect(text).not.toContain(decodeURIComponent(new URL(url).password));
  }
  expect(text).not.toMatch(/postgres(ql)?:\/\//);
  expect(text).not.toMatch(/\bec_[A-Za-z0-9_-]{20,}/);
}

describe('GET /api/v1/migrations', () => {
  it('lists every migration, newest first, to a deploy token for every migration', async () => {
    const { status, body, text } = await documented<List>(await list(tokens.everywhere), '/api/v1/migrations', 'get');
    expect(status).toBe(200);
    expect(body.migrations).toMatchObject([
      { id: ids.note, status: 'planned', deployedAt: null, backfill: null },
      { id: ids.rename, title: 'Rename public.leads.user_email to contact_email', status: 'expanded', deployedAt: null, seeded: false },
    ]);
    expectNoSecrets(text);
  });

  it('lists only its own migration to a token scoped to one', async () => {
    const { status, body } = await documented<List>(await list(tokens.scoped), '/api/v1/migrations', 'get');
    expect(status).toBe(200);
    expect(body.migrations.map((m) => m.id)).toEqual([ids.note]);
  });

  it('refuses an ingest, calendar, revoked or missing token with 401', async () => {
    for (const t of [tokens.ingest, tokens.calendar, tokens.revoked, undefined, 'ec_not-a-token']) {
      const { status, body } = await documented(await list(t), '/api/v1/migrations', 'get');
      expect(status).toBe(401);
      expect(body.error).toEqual(expect.any(String));
    }
  });
});

describe('GET /api/v1/migrations/{id}', () => {
  it("reads a migration's phases, backfill progress and gate with its reasons, as they change", async () => {
    const path = '/api/v1/migrations/{id}';
    const expanded = await documented<Status>(await read(ids.rename, tokens.everywhere), path, 'get');
    expect(expanded.status).toBe(200);
    expect(expanded.body).toMatchObject({
      id: ids.rename,
      status: 'expanded',
      phases: [{ phase: 'expand', status: 'succeeded', source: 'executor', error: null }],
      backfill: null,
      parity: null,
      legacy: { column: 'public.leads.user_email', reads: 0, writes: 0 },
      deploy: { deployedAt: null, deployedBy: null, bufferMinutes: 4320, bufferEndsAt: null },
      gate: { allowed: false },
    });
    const { gate } = expanded.body;
    expect(gate.conditions.filter((c) => !c.met).map((c) => c.name)).toEqual(expect.arrayContaining(['backfill', 'parity', 'buffer']));
    expect(gate.reasons).toContain('the backfill has not finished');
    expect(gate.reasons).toContainEqual(expect.stringMatching(/^the deploy of code that uses the new column is not marked yet/));
    expectNoSecrets(expanded.text);

    await runPhase({ store: w.store, target: w.target, signals: false }, ids.rename, 'backfill');
    const marked = await documented<{ deployedAt: string; deployedBy: string }>(
      await deploy(ids.rename, tokens.everywhere),
      '/api/v1/migrations/{id}/deployed',
      'post',
    );
    expect(marked.status).toBe(200);
    const backfilled = await documented<Status>(await read(ids.rename, tokens.everywhere), path, 'get');
    expect(backfilled.body).toMatchObject({
      status: 'backfilled',
      phases: [{ phase: 'expand' }, { phase: 'backfill', status: 'succeeded' }],
      backfill: { status: 'done', rowsScanned: 200, tableRows: 200, progress: { done: 200, total: 200, percent: 100, etaSeconds: 0 } },
      deploy: { deployedAt: marked.body.deployedAt, deployedBy: marked.body.deployedBy },
    });
    const deployed = backfilled.body.deploy;
    expect(new Date(deployed.bufferEndsAt!).getTime() - new Date(deployed.deployedAt!).getTime()).toBe(4320 * 60_000);
    const after = backfilled.body.gate;
    expect(after.conditions.find((c) => c.name === 'backfill')).toMatchObject({ met: true, detail: 'backfill complete' });
    expect(after.reasons).toContainEqual(expect.stringMatching(/^buffer: .+ left of 3 days since the deploy$/));
    // The record's fields a token holder has no need of stay on the server.
    expect(backfilled.body.backfill).not.toHaveProperty('cursor');
    expect(backfilled.body).not.toHaveProperty('target');
    expect(backfilled.body.legacy).not.toHaveProperty('statements');
    expectNoSecrets(backfilled.text);
  });

  it('lets a token scoped to one migration read that one and answers 401 for any other, existing or not', async () => {
    const own = await documented<Status>(await read(ids.note, tokens.scoped), '/api/v1/migrations/{id}', 'get');
    expect(own).toMatchObject({ status: 200, body: { id: ids.note, status: 'planned', phases: [] } });
    for (const id of [ids.rename, 999_999]) {
      const other = await documented(await read(id, tokens.scoped), '/api/v1/migrations/{id}', 'get');
      expect(other).toMatchObject({ status: 401, body: { error: 'the token is not valid' } });
    }
  });

  it('refuses other scopes and missing tokens with 401, and answers 404 for a migration that does not exist', async () => {
    for (const t of [tokens.ingest, tokens.calendar, tokens.revoked, undefined]) {
      expect((await documented(await read(ids.rename, t), '/api/v1/migrations/{id}', 'get')).status).toBe(401);
    }
    for (const id of ['999999', '0x5', '05', '99999999999']) {
      const missing = await documented(await read(id, tokens.everywhere), '/api/v1/migrations/{id}', 'get');
      expect(missing.status, id).toBe(404);
    }
  });

  it('answers 503 without naming the database when the target cannot be reached', async () => {
    const target = new URL(w.targetDb.url);
    // A port nothing listens on: the connection is refused at once.
    target.port = '1';
    process.env.TARGET_DATABASE_URL = target.toString();
    try {
      const unreachable = await documented(await read(ids.rename, tokens.everywhere), '/api/v1/migrations/{id}', 'get');
      expect(unreachable.status).toBe(503);
      expect(unreachable.body.error).toBe('a database the status is read from cannot be reached now: try again later');
      expect(unreachable.text).not.toContain(target.hostname);
    } finally {
      process.env.TARGET_DATABASE_URL = w.targetDb.url;
    }
  });
});

describe('the other token routes answer as the document says', () => {
  it('POST /api/v1/migrations/{id}/deployed: 409 before expand, 401 another migration, 404 none', async () => {
    const path = '/api/v1/migrations/{id}/deployed';
    expect((await documented(await deploy(ids.note, tokens.scoped), path, 'post')).status).toBe(409);
    expect((await documented(await deploy(ids.rename, tokens.scoped), path, 'post')).status).toBe(401);
    expect((await documented(await deploy(999_999, tokens.everywhere), path, 'post')).status).toBe(404);
  });

  it('POST /api/v1/metrics: 200 stored, 400 with details, 401 another scope, 415 not JSON', async () => {
    const send = (body: string, t: string, type = 'application/json') =>
      ingest(new Request('http://127.0.0.1/api/v1/metrics', { method: 'POST', headers: { 'content-type': type, ...bearer(t) }, body }));
    const point = { service: 'web', version: 'v1', timestamp: new Date(Date.now() - 60_000).toISOString(), requests: 10, errors: 0 };
    const stored = await documented(await send(JSON.stringify({ batchId: 'api-doc', points: [point] }), tokens.ingest), '/api/v1/metrics', 'post');
    expect(stored).toMatchObject({ status: 200, body: { accepted: 1, duplicate: false } });
    const invalid = await documented(
      await send(JSON.stringify({ batchId: 'x', points: [{ ...point, service: 'api' }] }), tokens.ingest),
      '/api/v1/metrics',
      'post',
    );
    expect(invalid).toMatchObject({ status: 400, body: { error: 'invalid batch', details: [expect.stringContaining('points.0.service')] } });
    expect((await documented(await send('{}', tokens.everywhere), '/api/v1/metrics', 'post')).status).toBe(401);
    expect((await documented(await send('{}', tokens.ingest, 'text/plain'), '/api/v1/metrics', 'post')).status).toBe(415);
  });

  it('GET /api/v1/calendar.ics: 200 text/calendar to a calendar token, 401 to a deploy token', async () => {
    const ok = await feed(new Request('http://127.0.0.1/api/v1/calendar.ics', { headers: bearer(tokens.calendar) }));
    expect(ok.status).toBe(200);
    expect(answerProblems('/api/v1/calendar.ics', 'get', 200, await ok.text(), 'text/calendar')).toEqual([]);
    expect(
      (await documented(await feed(new Request('http://127.0.0.1/api/v1/calendar.ics', { headers: bearer(tokens.everywhere) })), '/api/v1/calendar.ics', 'get'))
        .status,
    ).toBe(401);
  });
});
