import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as feed } from '../app/api/v1/calendar.ics/route';
import { POST as ingest } from '../app/api/v1/metrics/route';
import { POST as markDeployed } from '../app/api/v1/migrations/[id]/deployed/route';
import { createApiToken, revokeApiToken } from '../lib/auth/api-tokens';
import { upsertUser } from '../lib/auth/manage-users';
import { createTokenAs } from '../lib/data/manage-tokens';
import { ForbiddenError, withActor } from '../lib/data/with-actor';
import { runPhase } from '../lib/executor/run-phase';
import { runCli } from './helpers/cli-process';
import type { Actor, Role } from '../lib/lifecycle/permissions';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
let admin: Actor;
let author: Actor;
let calendarToken: string;
let calendarTokenId: string;
const ids = { open: 0, ran: 0, cancelled: 0, contracted: 0 };
const savedUrl = process.env.DATABASE_URL;
const RENAME = { kind: 'rename-column', schema: 'public', table: 'leads', column: 'user_email', newName: 'contact_email' } as const;

async function person(name: string, role: Role): Promise<Actor> {
  const email = `${name}@team.example`;
  const { id } = await upsertUser(w.pool, { email, roles: [role], password: null });
  return { id, email, name, roles: [role] };
}

beforeAll(async () => {
  w = await executorWorld('calendar_feed');
  // The route reads the state database from the environment, as in the running dashboard.
  process.env.DATABASE_URL = w.stateDb.url;
  await w.target.query(
    "CREATE TABLE leads (id bigint PRIMARY KEY, user_email text NOT NULL); INSERT INTO leads SELECT g, 'e' || g FROM generate_series(1, 50) g",
  );
  admin = await person('ama', 'admin');
  author = await person('ada', 'author');
  // Each gets the default schedule: next week's expand, deploy, monitoring and contract.
  ids.open = await w.register(RENAME);
  ids.ran = await w.register({ kind: 'add-column', schema: 'public', table: 'leads', column: 'note', type: 'text', notNull: false });
  ids.cancelled = await w.register({ kind: 'add-column', schema: 'public', table: 'leads', column: 'gone', type: 'text', notNull: false });
  ids.contracted = await w.register({ kind: 'add-column', schema: 'public', table: 'leads', column: 'done', type: 'text', notNull: false });
  await runPhase({ store: w.store, target: w.target, signals: false }, ids.ran, 'expand');
  await w.store.setStatus(ids.cancelled, 'cancelled');
  await w.store.setStatus(ids.contracted, 'contracted');
  // Created by an admin through row-level security, as the admin page does.
  const created = await createTokenAs(w.pool, admin, { scope: 'calendar', label: 'team calendar' });
  calendarToken = created.token;
  calendarTokenId = created.record.id;
});
afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await w.close();
});

const get = (query: string, headers: Record<string, string> = {}) => feed(new Request(`http://127.0.0.1:3000/api/v1/calendar.ics${query}`, { headers }));
const events = (text: string) => Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
const of = (all: VEvent[], id: number) => all.filter((e) => String(e.summary).endsWith(`(#${id})`));
const phases = (all: VEvent[]) => all.map((e) => String(e.summary).replace(/:.*/, '')).sort();

describe('GET /api/v1/calendar.ics', () => {
  it('gives each open migration its scheduled phases, the contract at its planned time, and a finished or cancelled one none', async () => {
    const response = await get(`?token=${calendarToken}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('content-disposition')).toBe('inline; filename="expand-contract.ics"');
    const text = await response.text();
    expect(text).toMatch(/^X-WR-CALNAME:Expand\/Contract migrations\r$/m);
    const all = events(text);
    expect(phases(of(all, ids.open))).toEqual(['Contract', 'Deploy', 'Expand', 'Monitor']);
    // Its expand ran: the planned expand gives way to what ran.
    expect(phases(of(all, ids.ran))).toEqual(['Contract', 'Deploy', 'Expand succeeded', 'Monitor']);
    expect(of(all, ids.cancelled)).toEqual([]);
    expect(of(all, ids.contracted)).toEqual([]);
    const { schedule } = await w.store.getMigration(ids.open);
    const contract = of(all, ids.open).find((e) => String(e.summary).startsWith('Contract:'))!;
    expect(contract.start.toISOString()).toBe(schedule!.contractAt.toISOString());
    expect(String(contract.summary)).toBe(`Contract: Rename public.leads.user_email to contact_email (#${ids.open})`);
    // The link points at the dashboard the calendar app fetched from.
    expect(String(contract.description)).toContain(`http://127.0.0.1:3000/migrations/${ids.open}`);
    expect(String(contract.description)).toContain('Status: planned.');
  });

  it('keeps the UIDs from one fetch to the next, so a calendar updates events instead of adding copies', async () => {
    const uids = async () => events(await (await get(`?token=${calendarToken}`)).text()).map((e) => e.uid);
    const first = await uids();
    expect(first).toHaveLength(8);
    expect(await uids()).toEqual(first);
  });

  it('takes the token as a bearer header too, and records when it was last used', async () => {
    await w.pool.query('UPDATE expand_contract.api_tokens SET last_used_at = NULL WHERE id = $1', [calendarTokenId]);
    expect((await get('', { authorization: `Bearer ${calendarToken}` })).status).toBe(200);
    const { rows } = await w.pool.query('SELECT last_used_at FROM expand_contract.api_tokens WHERE id = $1', [calendarTokenId]);
    expect(rows[0].last_used_at).toBeInstanceOf(Date);
  });

  it('refuses no token, an ingest or deploy token, and a revoked calendar token with a bare 401', async () => {
    const ingestToken = (await createApiToken(w.pool, { scope: 'ingest', service: 'web', createdBy: 'test' })).token;
    const deployToken = (await createApiToken(w.pool, { scope: 'deploy', createdBy: 'test' })).token;
    const revoked = await createApiToken(w.pool, { scope: 'calendar', createdBy: 'test' });
    await revokeApiToken(w.pool, revoked.record.id);
    for (const query of ['', `?token=${ingestToken}`, `?token=${deployToken}`, `?token=${revoked.token}`, '?token=ec_guessed']) {
      const response = await get(query);
      expect({ query, status: response.status }).toEqual({ query, status: 401 });
      expect(await response.text()).not.toContain('BEGIN:VCALENDAR');
    }
    // Nothing tells the holder why: revoked reads the same as unknown.
    expect(await (await get(`?token=${revoked.token}`)).json()).toEqual({ error: 'the token is not valid' });
    expect((await get('', { authorization: `Bearer ${ingestToken}` })).status).toBe(401);
  });
});

describe('a calendar token opens nothing else', () => {
  it('is refused by the ingest and deploy routes', async () => {
    const metrics = await ingest(
      new Request('http://127.0.0.1/api/v1/metrics', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${calendarToken}` },
        body: JSON.stringify({ batchId: 'cal-1', points: [] }),
      }),
    );
    expect(metrics.status).toBe(401);
    const deployed = await markDeployed(
      new Request(`http://127.0.0.1/api/v1/migrations/${ids.ran}/deployed`, { method: 'POST', headers: { authorization: `Bearer ${calendarToken}` } }),
      {
        params: Promise.resolve({ id: String(ids.ran) }),
      },
    );
    expect(deployed.status).toBe(401);
    expect((await w.store.getMigration(ids.ran)).deployedAt).toBeNull();
  });

  it('is created by admins only, on the server and in the database, and names no migration', async () => {
    await expect(createTokenAs(w.pool, author, { scope: 'calendar' })).rejects.toThrow(ForbiddenError);
    // Written as the author straight through row-level security, with no server check first.
    await expect(
      withActor(w.pool, author, (c) =>
        c.query("INSERT INTO expand_contract.api_tokens (scope, token_hash, created_by) VALUES ('calendar', 'x'::bytea, 'ada@team.example')"),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      w.pool.query("INSERT INTO expand_contract.api_tokens (scope, migration_id, token_hash) VALUES ('calendar', $1, 'y'::bytea)", [ids.open]),
    ).rejects.toThrow(/api_tokens_calendar_unscoped/);
  });
});

describe('expand-contract token create calendar', () => {
  it(
    'prints a token and the feed URL that opens with it, and lists the token as read-only',
    async () => {
      const env = { DATABASE_URL: w.stateDb.url, TARGET_DATABASE_URL: w.targetDb.url, HOST: 'dash.internal', PORT: '8080' };
      const created = runCli(['token', 'create', 'calendar', '--label', 'ops calendar'], env);
      expect(await created.exited).toBe(0);
      const url = /^subscribe your calendar to: (\S+)$/m.exec(created.output())?.[1];
      expect(url).toMatch(/^http:\/\/dash\.internal:8080\/api\/v1\/calendar\.ics\?token=ec_[A-Za-z0-9_-]{43}$/);
      // The printed URL, asked of the route as the dashboard would be.
      const response = await feed(new Request(url!));
      expect(response.status).toBe(200);
      expect(phases(of(events(await response.text()), ids.open))).toEqual(['Contract', 'Deploy', 'Expand', 'Monitor']);
      const listed = runCli(['token', 'list'], env);
      expect(await listed.exited).toBe(0);
      expect(listed.output()).toMatch(/calendar feed \(read-only\) \(ops calendar\) .* last used/);
    },
    // Two commands, each a new process compiling its TypeScript at start.
    120_000,
  );
});
