import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRotation, upsertUser } from '../lib/auth/manage-users';
import { addWebhookAs, removeWebhookAs, webhooksView } from '../lib/data/manage-webhooks';
import { withActor } from '../lib/data/with-actor';
import { startWebhookDelivery } from '../lib/executor/deliver-webhooks';
import { openJobQueue } from '../lib/executor/job-queue';
import { runPhase } from '../lib/executor/run-phase';
import { watchGates } from '../lib/executor/watch-gates';
import type { Actor } from '../lib/lifecycle/permissions';
import { recordMigrationEvent } from '../lib/state/record-migration-event';
import { claimDelivery, ensureEnvWebhook } from '../lib/state/webhook-records';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

/**
 * Webhooks against a real HTTP receiver on this machine: each delivery signed (checked the way the
 * README shows), retried after a 500 with the same delivery id, and sent exactly once per event
 * even when two workers deliver and the event is noticed twice.
 */
let w: ExecutorWorld;
let admin: Actor;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}
/** A receiver that answers 500 to its first `failures` requests, then 200. */
async function receiver(failures = 0) {
  const got: Received[] = [];
  let answered = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      answered += 1;
      res.statusCode = answered <= failures ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-path-123`;
  return { url, got, close: () => new Promise((r) => server.close(r)) };
}

/** The README's check, word for word: the signature over "<t>.<body>", compared in constant time, and fresh. */
function verify(secret: string, header: string, body: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) <= toleranceSeconds;
  return fresh && !!parts.v1 && parts.v1.length === expected.length && timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected));
}

const workers: { boss: PgBoss; stop: () => void }[] = [];
/** A worker delivering webhooks, as each dashboard or `expand-contract worker` runs one. */
async function worker() {
  const boss = await openJobQueue(w.stateDb.url);
  const delivery = await startWebhookDelivery(boss, w.pool, { publicUrl: 'https://dash.example.com', everyMs: 200 });
  const entry = { boss, stop: delivery.stop };
  workers.push(entry);
  return entry;
}
const until = async (check: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  w = await executorWorld('webhooks');
  const { id } = await upsertUser(w.pool, { email: 'admin@team.example', roles: ['admin'], password: null });
  admin = { id, email: 'admin@team.example', name: 'admin', roles: ['admin'] };
  await w.target.query(`CREATE TABLE hook_leads (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO hook_leads SELECT g, 'u' || g || '@x.io' FROM generate_series(1, 100) g;
    CREATE TABLE hook_users (id bigint PRIMARY KEY, legacy text); CREATE TABLE hook_gates (id bigint PRIMARY KEY, a text); INSERT INTO hook_gates SELECT g, 'a' FROM generate_series(1, 10) g; CREATE TABLE hook_orders (id bigint PRIMARY KEY, status text)`);
});
afterAll(async () => {
  for (const x of workers) {
    x.stop();
    await x.boss.stop({ graceful: false }).catch(() => {});
  }
  await w?.close();
});

describe('webhooks', () => {
  it('an expand that ran sends one signed JSON delivery with the migration, an absolute link and the evidence; the log shows it delivered', async () => {
    const r = await receiver();
    const { id: hook, secret } = await addWebhookAs(w.pool, admin, {
      url: r.url,
      format: 'json',
      migrationId: null,
      events: ['phase.succeeded', 'phase.failed'],
    });
    await worker();
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'hook_leads', column: 'user_email', newName: 'contact_email' });
    await runPhase({ store: w.store, target: w.target }, id, 'expand');
    await until(() => r.got.length >= 1);
    await new Promise((res) => setTimeout(res, 1500));
    expect(r.got).toHaveLength(1);
    const [sent] = r.got;
    expect(verify(secret, String(sent!.headers['x-expand-contract-signature']), sent!.body)).toBe(true);
    expect(verify('another key, 32 characters long…', String(sent!.headers['x-expand-contract-signature']), sent!.body)).toBe(false);
    expect(verify(secret, String(sent!.headers['x-expand-contract-signature']), sent!.body.replace('expand', 'contract'))).toBe(false);
    expect(sent!.headers['x-expand-contract-event']).toBe('phase.succeeded');
    const payload = JSON.parse(sent!.body);
    expect(payload).toMatchObject({
      event: 'phase.succeeded',
      migration: { id, title: 'Rename public.hook_leads.user_email to contact_email', state: 'expanded' },
      link: `https://dash.example.com/migrations/${id}`,
      evidence: { phase: 'expand' },
    });
    expect(payload.summary).toMatch(/^expand done \(run by /);
    const view = await webhooksView(w.pool, admin);
    expect(view.deliveries[0]).toMatchObject({ event: 'phase.succeeded', migrationId: id, webhookId: hook, status: 'delivered', attempts: 1, lastStatus: 200 });
    await removeWebhookAs(w.pool, admin, hook);
    await r.close();
  });

  it('retries after a 500 with backoff, the same delivery id and a valid signature each time, until delivered', async () => {
    const r = await receiver(2);
    const { id: hook, secret } = await addWebhookAs(w.pool, admin, { url: r.url, format: 'json', migrationId: null, events: ['brownout.reverted'] });
    if (workers.length === 0) await worker();
    const id = await w.register({ kind: 'drop-column', schema: 'public', table: 'hook_users', column: 'legacy' });
    await recordMigrationEvent(w.pool, { key: `test.retry:${id}`, event: 'brownout.reverted', migrationId: id, summary: 'brownout reverted: 42703' });
    await until(() => r.got.length >= 3, 30_000);
    const ids = new Set(r.got.map((g) => g.headers['x-expand-contract-delivery']));
    expect(ids.size).toBe(1);
    for (const g of r.got) expect(verify(secret, String(g.headers['x-expand-contract-signature']), g.body)).toBe(true);
    await until(async () => (await webhooksView(w.pool, admin)).deliveries.some((d) => d.webhookId === hook && d.status === 'delivered'));
    const d = (await webhooksView(w.pool, admin)).deliveries.find((x) => x.webhookId === hook)!;
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    await new Promise((res) => setTimeout(res, 1000));
    expect(r.got).toHaveLength(3);
    await removeWebhookAs(w.pool, admin, hook);
    await r.close();
  });

  it('two workers, each event noticed twice: exactly one delivery per event', async () => {
    const r = await receiver();
    const { id: hook } = await addWebhookAs(w.pool, admin, { url: r.url, format: 'slack', migrationId: null, events: ['gate.opened'] });
    while (workers.length < 2) await worker();
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'hook_orders', column: 'status', newName: 'state' });
    // As two workers watching the same gates would: the same keys, at the same time.
    const events = [1, 2, 3, 4, 5].map((n) => ({
      key: `gate.opened:${id}:${n}`,
      event: 'gate.opened' as const,
      migrationId: id,
      summary: `gate ${n} <open> & ready`,
    }));
    await Promise.all([...events, ...events].map((e) => recordMigrationEvent(w.pool, e)));
    await until(() => r.got.length >= 5);
    await new Promise((res) => setTimeout(res, 2000));
    expect(r.got).toHaveLength(5);
    expect(new Set(r.got.map((g) => g.headers['x-expand-contract-delivery'])).size).toBe(5);
    // Slack's form: one text line, its control characters escaped, with the link.
    const texts = r.got.map((g) => JSON.parse(g.body).text as string).sort();
    expect(texts[0]).toBe(
      `*#${id} Rename public.hook_orders.status to state*: gate 1 &lt;open&gt; &amp; ready <https://dash.example.com/migrations/${id}|open>`,
    );
    await removeWebhookAs(w.pool, admin, hook);
    await r.close();
  });

  it('a gate that opens is told once, however often and by however many workers it is watched', async () => {
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'hook_gates', column: 'a', newName: 'b' });
    for (const phase of ['expand', 'backfill', 'verify'] as const) await runPhase({ store: w.store, target: w.target }, id, phase);
    const watch = () => watchGates({ state: w.pool, targetUrl: w.targetDb.url, signals: false });
    // Not deployed yet: nothing to tell.
    await watch();
    const opened = () =>
      w.pool.query("SELECT key, payload FROM expand_contract.webhook_events WHERE event = 'gate.opened' AND migration_id = $1", [id]).then((x) => x.rows);
    expect(await opened()).toEqual([]);
    await w.store.markDeployed(id, 'ci');
    await Promise.all([watch(), watch(), watch()]);
    const events = await opened();
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({
      event: 'gate.opened',
      migration: { id, state: 'backfilled' },
      summary: 'the contract gate is open: the person on call may contract',
    });
  });

  it('a contract whose evidence allows it tells, once, that it waits for the person on call, by name; the gate is not called open before they approve', async () => {
    const author = await upsertUser(w.pool, { email: 'author@team.example', roles: ['author'], password: null });
    await upsertUser(w.pool, { email: 'oncall@team.example', roles: ['oncall', 'reviewer'], password: null });
    const c = await w.pool.connect();
    try {
      await setRotation(
        { client: c, by: null, record: async () => {} },
        { emails: ['oncall@team.example'], startsAt: new Date(Date.now() - 3_600_000), shiftDays: 7 },
      );
    } finally {
      c.release();
    }
    await w.target.query("CREATE TABLE hook_waits (id bigint PRIMARY KEY, a text); INSERT INTO hook_waits SELECT g, 'a' FROM generate_series(1, 10) g");
    const id = await w.register({ kind: 'rename-column', schema: 'public', table: 'hook_waits', column: 'a', newName: 'b' });
    for (const phase of ['expand', 'backfill', 'verify'] as const) await runPhase({ store: w.store, target: w.target }, id, phase);
    // As if written in the dashboard by its author (whose plan review is another test's): its contract then needs the
    // approval of someone on call who is not the author.
    await w.pool.query('UPDATE expand_contract.migrations SET author_id = $2 WHERE id = $1', [id, author.id]);
    await w.store.markDeployed(id, 'ci');
    const watch = () => watchGates({ state: w.pool, targetUrl: w.targetDb.url, signals: false });
    await Promise.all([watch(), watch(), watch()]);
    await watch();
    const { rows } = await w.pool.query(
      "SELECT event, payload FROM expand_contract.webhook_events WHERE migration_id = $1 AND event IN ('gate.opened', 'contract.awaiting-approval')",
      [id],
    );
    expect(rows.map((r) => r.event)).toEqual(['contract.awaiting-approval']);
    expect(rows[0].payload).toMatchObject({
      event: 'contract.awaiting-approval',
      migration: { id, state: 'backfilled' },
      summary: 'the evidence allows the contract: it waits for the approval of the person on call (oncall@team.example)',
      evidence: { onCall: 'oncall@team.example' },
    });
    const unmet = (rows[0].payload.evidence.conditions as { name: string; met: boolean }[]).filter((x) => !x.met).map((x) => x.name);
    expect(unmet).toEqual(['approval']);
  });

  it('keeps the URL and the signing key from people: the view has the host only, and the database refuses the columns to them', async () => {
    const { id: hook, secret } = await addWebhookAs(w.pool, admin, {
      url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET',
      format: 'slack',
      migrationId: null,
      events: ['gate.opened'],
    });
    const view = await webhooksView(w.pool, admin);
    const shown = JSON.stringify(view);
    expect(shown).toContain('https://hooks.slack.com');
    expect(shown).not.toContain('XXXXSECRET');
    expect(shown).not.toContain(secret);
    await expect(withActor(w.pool, admin, (c) => c.query('SELECT url FROM expand_contract.webhooks'))).rejects.toThrow(/permission denied/);
    await expect(withActor(w.pool, admin, (c) => c.query('SELECT secret FROM expand_contract.webhooks'))).rejects.toThrow(/permission denied/);
    const viewer = await upsertUser(w.pool, { email: 'viewer@team.example', roles: ['viewer'], password: null });
    await expect(webhooksView(w.pool, { id: viewer.id, email: 'viewer@team.example', name: 'v', roles: ['viewer'] })).rejects.toThrow(/only admins/);
    await expect(addWebhookAs(w.pool, admin, { url: 'ftp://x', format: 'json', migrationId: null, events: ['gate.opened'] })).rejects.toThrow(/http/);
    await removeWebhookAs(w.pool, admin, hook);
  });

  it('refuses a URL with a user name or password (it would be shown with the host), in the dashboard and in the database', async () => {
    const url = 'https://bot:s3cr3t@hooks.example.com/x';
    await expect(addWebhookAs(w.pool, admin, { url, format: 'json', migrationId: null, events: ['gate.opened'] })).rejects.toThrow(/user name or password/);
    await expect(
      w.pool.query("INSERT INTO expand_contract.webhooks (url, secret, events, created_by) VALUES ($1, repeat('k', 32), '{gate.opened}', 'test')", [url]),
    ).rejects.toMatchObject({ code: '23514' });
    const listed = JSON.stringify(await webhooksView(w.pool, admin));
    expect(listed).not.toContain('s3cr3t');
  });

  it('EC_WEBHOOK_URL: two processes starting at once add it once; a changed URL replaces the earlier one, which is sent nothing more', async () => {
    // The workers above stop queueing: this delivery is this test's to look at.
    for (const x of workers) x.stop();
    const key = 'k'.repeat(40);
    const first = await Promise.all([1, 2, 3].map(() => ensureEnvWebhook(w.pool, 'https://one.example.com/hook', key, 'g'.repeat(40), ['gate.opened'])));
    expect(new Set(first.map((x) => x.id)).size).toBe(1);
    expect(first.filter((x) => x.added)).toHaveLength(1);
    const oldId = first[0]!.id;
    // A delivery still waiting for it when the URL changes.
    const { rows } = await w.pool.query<{ id: string }>(
      `WITH e AS (INSERT INTO expand_contract.webhook_events (key, event, payload) VALUES ('test.env-replaced', 'gate.opened', '{"event":"gate.opened"}') RETURNING id)
       INSERT INTO expand_contract.webhook_deliveries (event_id, webhook_id) SELECT e.id, $1 FROM e RETURNING id`,
      [oldId],
    );
    const changed = await ensureEnvWebhook(w.pool, 'https://two.example.com/hook', key, 'g'.repeat(40), ['gate.opened']);
    expect(changed).toMatchObject({ added: true, replaced: [oldId] });
    const env = await w.pool.query("SELECT id, removed_at IS NULL AS active FROM expand_contract.webhooks WHERE created_by = 'env' ORDER BY id");
    expect(env.rows).toEqual([
      { id: String(oldId), active: false },
      { id: String(changed.id), active: true },
    ]);
    expect(await claimDelivery(w.pool, Number(rows[0]!.id))).toBeNull();
    const delivery = await w.pool.query('SELECT status, last_error FROM expand_contract.webhook_deliveries WHERE id = $1', [rows[0]!.id]);
    expect(delivery.rows[0]).toEqual({ status: 'failed', last_error: 'its webhook was removed' });
    await w.pool.query("UPDATE expand_contract.webhooks SET removed_at = now() WHERE created_by = 'env'");
  });
});
