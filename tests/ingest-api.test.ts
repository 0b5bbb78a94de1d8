import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST } from '../app/api/v1/metrics/route';
import { createApiToken, revokeApiToken } from '../lib/auth/api-tokens';
import { executorWorld, type ExecutorWorld } from './helpers/executor-setup';

let w: ExecutorWorld;
let token: string;
const savedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  w = await executorWorld('ingest');
  // The route reads the state database from the environment, as in the running dashboard.
  process.env.DATABASE_URL = w.stateDb.url;
  token = (await createApiToken(w.pool, { scope: 'ingest', service: 'web', createdBy: 'test' })).token;
});
afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await w.close();
});

const minuteAgo = (m: number) => new Date(Date.now() - m * 60_000);
/** The same instant written with another UTC offset, e.g. +23:59: a recent point, only its offset unusual. */
const withOffset = (at: Date, offset: string) => {
  const [, sign, h, m] = /^([+-])(\d\d):(\d\d)$/.exec(offset)!;
  const local = new Date(at.getTime() + (sign === '-' ? -1 : 1) * (Number(h) * 60 + Number(m)) * 60_000);
  return local.toISOString().slice(0, 19) + offset;
};
const point = (over: object = {}) => ({ service: 'web', version: 'v1', timestamp: minuteAgo(1).toISOString(), requests: 100, errors: 2, ...over });
function post(body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return POST(
    new Request('http://127.0.0.1/api/v1/metrics', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: text,
    }),
  );
}
const sums = async () =>
  (
    await w.pool.query<{ requests: string; errors: string; points: string }>(
      "SELECT (SELECT coalesce(sum(requests), 0) FROM expand_contract.metric_minutes WHERE service = 'web')::text AS requests, (SELECT coalesce(sum(errors), 0) FROM expand_contract.metric_minutes WHERE service = 'web')::text AS errors, (SELECT count(*) FROM expand_contract.metric_points)::text AS points",
    )
  ).rows[0]!;

describe('POST /api/v1/metrics', () => {
  it('stores a batch as raw points and per-minute sums, and a retried batch id only once', async () => {
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    const batch = {
      batchId: 'b-1',
      points: [
        point({ timestamp: new Date(at.getTime() + 1_000).toISOString(), sqlstate: '42703', route: '/leads' }),
        point({ timestamp: new Date(at.getTime() + 59_000).toISOString(), sqlstate: '42703', route: '/leads' }),
        point({ timestamp: new Date(at.getTime() + 61_000).toISOString(), version: 'v2', errors: 0 }),
      ],
    };
    const first = await post(batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 3, duplicate: false });
    const minutes = await w.pool.query(
      "SELECT minute, version, sqlstate, route, requests::int, errors::int FROM expand_contract.metric_minutes WHERE service = 'web' ORDER BY minute",
    );
    expect(minutes.rows).toEqual([
      { minute: at, version: 'v1', sqlstate: '42703', route: '/leads', requests: 200, errors: 4 },
      { minute: new Date(at.getTime() + 60_000), version: 'v2', sqlstate: '', route: '', requests: 100, errors: 0 },
    ]);
    const retry = await post(batch);
    expect(await retry.json()).toEqual({ accepted: 0, duplicate: true });
    expect(await sums()).toEqual({ requests: '300', errors: '4', points: '3' });
  });

  it('stores a batch sent five times at once exactly once', async () => {
    const before = await sums();
    const replies = await Promise.all(Array.from({ length: 5 }, () => post({ batchId: 'b-race', points: [point(), point()] }).then((r) => r.json())));
    expect(replies.filter((r) => r.accepted === 2)).toHaveLength(1);
    expect(replies.filter((r) => r.duplicate)).toHaveLength(4);
    expect(Number((await sums()).requests) - Number(before.requests)).toBe(200);
  });

  it.each([
    ['no token', { authorization: '' }, 'no bearer token'],
    ['not a bearer header', { authorization: `Basic ${token}` }, 'is not "Bearer <token>"'],
    ['an unknown token', { authorization: 'Bearer ec_nottherealtoken' }, 'the token is not valid'],
  ])('answers 401 to %s, and stores nothing', async (_name, headers, message) => {
    const before = await sums();
    const res = await post({ batchId: 'b-401', points: [point()] }, headers);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toContain(message);
    expect(await sums()).toEqual(before);
  });

  it('answers 401 to a revoked token and to a deploy token', async () => {
    const revoked = await createApiToken(w.pool, { scope: 'ingest', service: 'web', createdBy: 'test' });
    expect(await revokeApiToken(w.pool, revoked.record.id)).toBe(true);
    // Ids of the wrong shape are "no such token", never an error from Postgres.
    for (const odd of ['-'.repeat(36), 'z'.repeat(36), `${revoked.record.id}x`]) expect(await revokeApiToken(w.pool, odd)).toBe(false);
    const res = await post({ batchId: 'b-revoked', points: [point()] }, { authorization: `Bearer ${revoked.token}` });
    expect(res.status).toBe(401);
    // Whoever holds a token learns nothing about it: revoked, unknown and wrong-scope read the same.
    expect((await res.json()).error).toBe('the token is not valid');
    const deploy = await createApiToken(w.pool, { scope: 'deploy', createdBy: 'test' });
    expect((await post({ batchId: 'b-scope', points: [point()] }, { authorization: `Bearer ${deploy.token}` })).status).toBe(401);
  });

  it('keeps only a hash of each token, and notes when it was last used', async () => {
    const { rows } = await w.pool.query(
      "SELECT encode(token_hash, 'escape') AS h, last_used_at FROM expand_contract.api_tokens WHERE service = 'web' AND revoked_at IS NULL",
    );
    expect(rows[0].h).not.toContain(token.slice(3));
    expect(rows[0].last_used_at).toBeInstanceOf(Date);
  });

  it.each([
    ['not JSON', '{"batchId": ', 'the body is not valid JSON'],
    ['no points', { batchId: 'x', points: [] }, 'points: points must not be empty'],
    ['a negative count', { batchId: 'x', points: [point({ requests: -1 })] }, 'points.0.requests'],
    ['more errors than requests', { batchId: 'x', points: [point({ requests: 1, errors: 2 })] }, 'points.0.errors: errors cannot exceed requests'],
    ['a bad SQLSTATE', { batchId: 'x', points: [point({ sqlstate: 'oops' })] }, 'points.0.sqlstate'],
    ['a timestamp without a zone', { batchId: 'x', points: [point({ timestamp: '2026-11-24 10:00' })] }, 'points.0.timestamp'],
    ['a point in the future', { batchId: 'x', points: [point({ timestamp: minuteAgo(-60).toISOString() })] }, 'is in the future'],
    ['a point older than retention', { batchId: 'x', points: [point({ timestamp: minuteAgo(8 * 1440).toISOString() })] }, 'older than the retention'],
    ['another service', { batchId: 'x', points: [point({ service: 'billing' })] }, 'this token reports for "web", not "billing"'],
    ['an unknown field', { batchId: 'x', points: [point()], extra: 1 }, 'body: Unrecognized key'],
    // Offsets ISO 8601 allows but PostgreSQL does not store (past ±15:59), or that do not exist at all.
    [
      'a UTC offset of +23:59',
      { batchId: 'x', points: [point({ timestamp: withOffset(minuteAgo(1), '+23:59') })] },
      'points.0.timestamp: timestamp has a UTC offset beyond ±15:59',
    ],
    [
      'a UTC offset of -16:00',
      { batchId: 'x', points: [point({ timestamp: withOffset(minuteAgo(1), '-16:00') })] },
      'points.0.timestamp: timestamp has a UTC offset beyond ±15:59',
    ],
    ['a UTC offset of +24:00', { batchId: 'x', points: [point({ timestamp: '2026-12-01T10:00:00+24:00' })] }, 'points.0.timestamp'],
    ['a UTC offset of -25:00', { batchId: 'x', points: [point({ timestamp: '2026-12-01T10:00:00-25:00' })] }, 'points.0.timestamp'],
    ['the year 0', { batchId: 'x', points: [point({ timestamp: '0000-01-01T00:00:00Z' })] }, 'points.0.timestamp'],
    ['the year 10000', { batchId: 'x', points: [point({ timestamp: '10000-01-01T00:00:00Z' })] }, 'points.0.timestamp'],
    ['February 30th', { batchId: 'x', points: [point({ timestamp: '2026-02-30T10:00:00Z' })] }, 'points.0.timestamp'],
    ['a huge number as the timestamp', { batchId: 'x', points: [point({ timestamp: 1e300 })] }, 'points.0.timestamp'],
    ['a huge number of digits as the timestamp', { batchId: 'x', points: [point({ timestamp: '9'.repeat(400) })] }, 'points.0.timestamp'],
  ])('answers 400 to %s, naming the problem, and stores nothing', async (_name, body, message) => {
    const before = await sums();
    const res = await post(body);
    expect(res.status).toBe(400);
    const reply = await res.json();
    expect([reply.error, ...(reply.details ?? [])].join('\n')).toContain(message);
    expect(await sums()).toEqual(before);
  });

  it('stores a point with the widest offset PostgreSQL takes, at the instant it names', async () => {
    const at = new Date(Math.floor(minuteAgo(2).getTime() / 1000) * 1000);
    const res = await post({ batchId: 'b-offset', points: [point({ timestamp: withOffset(at, '+15:59'), version: 'v-offset' })] });
    expect(res.status).toBe(200);
    const { rows } = await w.pool.query("SELECT at FROM expand_contract.metric_points WHERE version = 'v-offset'");
    expect(rows).toEqual([{ at }]);
  });

  it('answers 413 to a body over 1 MiB and 415 to anything but JSON', async () => {
    const big = { batchId: 'big', points: Array.from({ length: 5000 }, () => point({ route: 'r'.repeat(200) })) };
    const res = await post(big);
    expect(res.status).toBe(413);
    // Streamed without a length, the same body is cut off once it passes the limit.
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 65536) controller.enqueue(bytes.slice(i, i + 65536));
        controller.close();
      },
    });
    const streamed = await POST(
      new Request('http://127.0.0.1/api/v1/metrics', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect((await post({ batchId: 'x', points: [point()] }, { 'content-type': 'text/plain' })).status).toBe(415);
  });
});
