import { describe, expect, it } from 'vitest';
import { evidenceSummary } from './evidence-summary';
import { evaluateGate, type ParityEvidence } from './evaluate-gate';
import type { SeriesVerdict } from '../metrics/error-regression';

const now = new Date('2026-11-27T10:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('contract gate', () => {
  const parity = (over: Partial<ParityEvidence> = {}): ParityEvidence => ({
    mismatched: 0,
    checkedAt: minutesAgo(5),
    rowsChecked: 3000,
    tableRows: 3000,
    lossy: null,
    ...over,
  });

  it('opens when the backfill is done and a fresh parity check saw every row and found nothing', () => {
    const d = evaluateGate({ now, backfill: { required: true, done: true }, parity: { required: true, latest: parity() } });
    expect(d).toEqual({
      allowed: true,
      reasons: [],
      conditions: [
        { name: 'backfill', met: true, detail: 'backfill complete' },
        { name: 'parity', met: true, detail: '0 of 3,000 rows differ (table holds 3,000)' },
      ],
    });
  });

  it.each([
    [{ required: true, done: false }, parity({ checkedAt: minutesAgo(1) }), ['the backfill has not finished']],
    [{ required: true, done: true }, null, ['no parity check yet: run verify']],
    [
      { required: true, done: true },
      parity({ mismatched: 3, rowsChecked: 6000, tableRows: 6000 }),
      ['3 of 6,000 rows differ (table holds 6,000) between old and new column'],
    ],
    [{ required: true, done: true }, parity({ checkedAt: minutesAgo(61) }), ['the last parity check is too old: run verify again']],
    // The row-level security repro: "0 of 0 rows differ" while the table held 3,000 rows the executing role could not see.
    [
      { required: true, done: true },
      parity({ rowsChecked: 0, tableRows: 3000 }),
      [
        'the parity check saw 0 of the 3,000 rows the table holds: the 3,000 it did not see are unchecked (hidden from the executing role by row-level security, or written behind the check); run verify again as a role that reads every row',
      ],
    ],
    [
      { required: true, done: true },
      parity({ rowsChecked: 2500, tableRows: 3000 }),
      [
        'the parity check saw 2,500 of the 3,000 rows the table holds: the 500 it did not see are unchecked (hidden from the executing role by row-level security, or written behind the check); run verify again as a role that reads every row',
      ],
    ],
    // Rows that went away during the check are no reason to refuse.
    [{ required: true, done: true }, parity({ rowsChecked: 3000, tableRows: 2990 }), []],
    [
      { required: true, done: true },
      parity({ rowsChecked: 3000, tableRows: null }),
      ["the last parity check (3,000 rows) did not count the table's rows: run verify again"],
    ],
  ])('stays closed with reasons: %j %j', (backfill, latest, reasons) => {
    const d = evaluateGate({ now, backfill, parity: { required: true, latest } });
    expect(d.allowed).toBe(reasons.length === 0);
    expect(d.reasons).toEqual(reasons);
  });

  it('calls a check that counted no table rows missing evidence, not evidence against', () => {
    const d = evaluateGate({ now, backfill: { required: false, done: false }, parity: { required: true, latest: parity({ tableRows: null }) } });
    expect(d.conditions).toEqual([
      { name: 'parity', met: false, unknown: true, detail: "the last parity check (3,000 rows) did not count the table's rows: run verify again" },
    ]);
  });

  it('has nothing to wait for when the change needs neither backfill nor parity (a drop)', () => {
    expect(evaluateGate({ now, backfill: { required: false, done: false }, parity: { required: false, latest: null } }).allowed).toBe(true);
  });
});

describe('round trip of a type change in the gate', () => {
  const base = { now, backfill: { required: false, done: false } };
  const latest = (lossy: ParityEvidence['lossy']): ParityEvidence => ({ mismatched: 0, checkedAt: minutesAgo(5), rowsChecked: 3000, tableRows: 3000, lossy });
  const tenValues = Array.from({ length: 10 }, (_, i) => ({ old: `V${i}`, becomes: `v${i}` }));

  it.each([
    {
      name: 'nothing lossy',
      lossy: { rows: 0, samples: [] },
      met: true,
      detail: "every row's old value reads back from the new column (0 of 3,000 would change)",
    },
    {
      name: "old code wrote 'PENDING' and 'Cancelled' through CASE lower(…)",
      lossy: {
        rows: 2,
        samples: [
          { old: 'Cancelled', becomes: 'cancelled' },
          { old: 'PENDING', becomes: 'pending' },
        ],
      },
      met: false,
      detail:
        "2 row(s) would not survive the contract: the new column cannot give back their old value (old → would become: 'Cancelled' → 'cancelled', 'PENDING' → 'pending'); correct those rows or the mappings, then run verify again",
    },
    {
      name: 'quotes and NULLs written the way SQL writes them',
      lossy: { rows: 1500, samples: [{ old: "O'Brien", becomes: null }] },
      met: false,
      detail:
        "1,500 row(s) would not survive the contract: the new column cannot give back their old value (old → would become: 'O''Brien' → NULL); correct those rows or the mappings, then run verify again",
    },
    {
      name: 'ten distinct values shown, and a sign that there may be more',
      lossy: { rows: 40, samples: tenValues },
      met: false,
      detail: `40 row(s) would not survive the contract: the new column cannot give back their old value (old → would become: ${tenValues.map((v) => `'${v.old}' → '${v.becomes}'`).join(', ')}, …); correct those rows or the mappings, then run verify again`,
    },
  ])('$name → met $met', ({ lossy, met, detail }) => {
    const d = evaluateGate({ ...base, parity: { required: true, latest: latest(lossy) } });
    expect(d.allowed).toBe(met);
    expect(d.conditions).toEqual([
      { name: 'parity', met: true, detail: '0 of 3,000 rows differ (table holds 3,000)' },
      { name: 'round-trip', met, detail },
    ]);
  });

  it('has no round-trip condition for a change without a way back (a rename)', () => {
    expect(evaluateGate({ ...base, parity: { required: true, latest: latest(null) } }).conditions.map((c) => c.name)).toEqual(['parity']);
  });

  it('ties an approval to the rows that would be lost, and leaves approvals of lossless changes as they were', () => {
    const e = (lossy: ParityEvidence['lossy']) => ({ ...base, parity: { required: true, latest: latest(lossy) } });
    expect(evidenceSummary(e({ rows: 2, samples: [] }))).not.toBe(evidenceSummary(e({ rows: 0, samples: [] })));
    expect(evidenceSummary(e({ rows: 0, samples: [] }))).toBe(evidenceSummary(e(null)));
    expect(JSON.parse(evidenceSummary(e({ rows: 0, samples: [] })))).not.toHaveProperty('lossyRows');
  });
});

describe('legacy-column reads in the gate', () => {
  const base = { now, backfill: { required: false, done: false }, parity: { required: false, latest: null } };
  const legacy = (over: object) => ({
    required: true,
    column: 'public.leads.user_email',
    reads: 0,
    writes: 0,
    unknown: 0,
    coverage: 0.99,
    observedMinutes: 1500,
    requiredMinutes: 1440,
    dependents: [],
    ...over,
  });

  it.each([
    [{ reads: 20 }, false, 'public.leads.user_email is still used: 20 read(s) and 0 write(s) in the window'],
    [{ writes: 1 }, false, 'public.leads.user_email is still used: 0 read(s) and 1 write(s) in the window'],
    [{ unknown: 3 }, false, '3 call(s) of statements that could not be parsed: check them by hand'],
    [
      { coverage: 0.5 },
      false,
      'pg_stat_statements was sampled for only 50.0% of the window (needs 95.0%): keep the dashboard or expand-contract worker running',
    ],
    [{ observedMinutes: 90 }, false, 'watched for 90 of the required 1440 minutes since the expand'],
    [
      { dependents: ['function public.touch_lead() uses public.leads.user_email: update it to the new column'] },
      false,
      'function public.touch_lead() uses public.leads.user_email: update it to the new column',
    ],
    [
      { unknown: 2, dynamic: 2 },
      false,
      '2 call(s) of code that builds its SQL at run time (EXECUTE), whose reads cannot be told from its text: check it by hand',
    ],
    [
      { blindSpots: ['statements inside functions are not counted on the primary: pg_stat_statements.track = top (set it to all)'] },
      true,
      '0 reads of public.leads.user_email in the last 1 day, sampled 99.0% of that time; not seen: statements inside functions are not counted on the primary: pg_stat_statements.track = top (set it to all)',
    ],
    [{}, true, '0 reads of public.leads.user_email in the last 1 day, sampled 99.0% of that time'],
  ])('%j → allowed %s', (over, allowed, detail) => {
    const d = evaluateGate({ ...base, legacy: legacy(over) });
    expect(d.allowed).toBe(allowed);
    // Too little watching or sampling is missing evidence (unknown), not evidence of use.
    const unknown = 'coverage' in over || 'observedMinutes' in over;
    expect(d.conditions).toEqual([{ name: 'legacy-reads', met: allowed, detail, ...(unknown ? { unknown: true } : {}) }]);
  });

  const primary = { label: 'db:5432/app', role: 'primary' as const, coverage: 1, uses: 0 };
  const replica = { label: 'replica-1:5432/app', role: 'replica' as const, coverage: 0.99, uses: 0 };

  it('names every server a zero claim covers, and where reads were seen', () => {
    expect(evaluateGate({ ...base, legacy: legacy({ servers: [primary, replica] }) }).conditions).toEqual([
      {
        name: 'legacy-reads',
        met: true,
        detail: '0 reads of public.leads.user_email in the last 1 day on 2 servers (the primary sampled 100.0%, replica replica-1:5432/app sampled 99.0%)',
      },
    ]);
    const read = evaluateGate({ ...base, legacy: legacy({ reads: 10, servers: [primary, { ...replica, uses: 10 }] }) });
    expect(read.reasons).toEqual(['public.leads.user_email is still used: 10 read(s) and 0 write(s) in the window (10 on replica replica-1:5432/app)']);
  });

  it('a replica that was not sampled makes the evidence unknown, never zero, and says why', () => {
    const down = { ...replica, coverage: 0.2, lastError: 'connect ECONNREFUSED 127.0.0.1:5999' };
    const d = evaluateGate({ ...base, legacy: legacy({ coverage: 0.2, servers: [primary, down] }) });
    expect(d.allowed).toBe(false);
    expect(d.conditions).toEqual([
      {
        name: 'legacy-reads',
        met: false,
        unknown: true,
        detail:
          'replica replica-1:5432/app was sampled for only 20.0% of the window (needs 95.0%): its last sample failed (connect ECONNREFUSED 127.0.0.1:5999)',
      },
    ]);
  });

  it('each dependent found in the catalog is its own reason', () => {
    const dependents = ['view public.lead_emails reads public.leads.user_email: …', 'trigger touch on public.leads uses public.leads.user_email: …'];
    expect(evaluateGate({ ...base, legacy: legacy({ dependents }) }).reasons).toEqual(dependents);
  });
});

describe('buffer since the deploy in the gate', () => {
  const base = { now, backfill: { required: false, done: false }, parity: { required: false, latest: null } };
  it.each([
    [null, 4320, false, 'the deploy of code that uses the new column is not marked yet (the 3 days buffer starts then)'],
    [minutesAgo(4319), 4320, false, 'buffer: 1 minute left of 3 days since the deploy'],
    [minutesAgo(4320), 4320, true, 'buffer passed: deployed 3 days ago (buffer 3 days)'],
    [minutesAgo(3 * 1440 + 185), 4320, true, 'buffer passed: deployed 3 days 3 hours 5 minutes ago (buffer 3 days)'],
    [minutesAgo(0), 0, true, 'buffer passed: deployed 0 ms ago (buffer 0 ms)'],
  ])('deployed %o, buffer %i min → allowed %s', (deployedAt, bufferMinutes, allowed, detail) => {
    const d = evaluateGate({ ...base, buffer: { required: true, deployedAt, bufferMinutes } });
    expect(d.allowed).toBe(allowed);
    expect(d.conditions).toEqual([{ name: 'buffer', met: allowed, detail }]);
  });
});

describe('error rates in the gate', () => {
  const base = { now, backfill: { required: false, done: false }, parity: { required: false, latest: null } };
  const counts = (requests: number, errors: number) => ({
    from: minutesAgo(60),
    to: now,
    requests,
    errors,
    rate: requests ? errors / requests : null,
    bySqlstate: {},
  });
  const verdict = (over: Partial<SeriesVerdict>): SeriesVerdict => ({
    source: 'app',
    service: 'web',
    baseline: counts(1000, 1),
    after: counts(1000, 1),
    enoughVolume: true,
    regression: false,
    detail: 'web: 0.10% after, 0.10% before',
    ...over,
  });
  const phases = (deploy: SeriesVerdict[], expand: SeriesVerdict[] = [verdict({})]) => [
    { phase: 'expand', at: minutesAgo(3000), series: expand },
    { phase: 'deploy', at: minutesAgo(2000), series: deploy },
  ];

  it.each([
    ['healthy after both phases', phases([verdict({})]), true, 'no regression after expand, deploy: web: 0.10% after, 0.10% before'],
    [
      'a regression after the deploy',
      phases([verdict({ regression: true, detail: 'web: 4.00% after, 0.10% before (42703 ×40)' })]),
      false,
      'error rate above its baseline after deploy: web: 4.00% after, 0.10% before (42703 ×40)',
    ],
    [
      'a regression after the expand only',
      phases([verdict({})], [verdict({ regression: true, detail: 'web: x' })]),
      false,
      'error rate above its baseline after expand: web: x',
    ],
    [
      'a Postgres-log regression',
      phases([verdict({}), verdict({ source: 'postgres', service: 'postgres', regression: true, detail: 'postgres: 40 error(s)' })]),
      false,
      'error rate above its baseline after deploy: postgres: 40 error(s)',
    ],
    [
      'too little traffic since the deploy',
      phases([verdict({ enoughVolume: false })]),
      false,
      'no service reported enough requests since deploy to compare error rates: send them to POST /api/v1/metrics',
    ],
    [
      'only the Postgres log',
      phases([verdict({ source: 'postgres', service: 'postgres' })]),
      false,
      'no service reported enough requests since deploy to compare error rates: send them to POST /api/v1/metrics',
    ],
    ['no data at all', phases([]), false, 'no service reported enough requests since deploy to compare error rates: send them to POST /api/v1/metrics'],
  ])('%s → allowed %s', (_name, p, allowed, detail) => {
    const d = evaluateGate({ ...base, errors: { required: true, phases: p } });
    expect(d.allowed).toBe(allowed);
    const unknown = detail.startsWith('no service reported');
    expect(d.conditions).toEqual([{ name: 'error-rate', met: allowed, detail, ...(unknown ? { unknown: true } : {}) }]);
  });

  it('with services named, each must report enough; regressions of the others are shown, not counted', () => {
    const named = (services: string[], deploy: SeriesVerdict[], uncounted: string[] = []) =>
      evaluateGate({ ...base, errors: { required: true, phases: phases(deploy), services, uncounted } }).conditions[0]!;
    expect(named(['web'], [verdict({})])).toMatchObject({ met: true });
    // web reports, checkout (named) does not: unknown, naming it, even though web alone would pass.
    expect(named(['web', 'checkout'], [verdict({}), verdict({ service: 'checkout', enoughVolume: false })])).toEqual({
      name: 'error-rate',
      met: false,
      unknown: true,
      detail: 'checkout did not report enough requests since deploy to compare error rates: each service named for this migration must (POST /api/v1/metrics)',
    });
    expect(named(['web', 'checkout'], [verdict({})])).toMatchObject({ met: false, unknown: true, detail: expect.stringMatching(/^checkout did not report/) });
    const aside = named(['web'], [verdict({})], ['after deploy: batch: 2.00% after, 0.10% before']);
    expect(aside).toMatchObject({
      met: true,
      detail: expect.stringMatching(/; not counted \(not named for this migration\): after deploy: batch: 2\.00% after, 0\.10% before$/),
    });
  });

  it('ties an approval to the named services: naming others makes it stale', () => {
    const e = (services: string[] | null) => ({ ...base, errors: { required: true, phases: phases([verdict({})]), services } });
    expect(evidenceSummary(e(['web']))).not.toBe(evidenceSummary(e(['web', 'batch'])));
    expect(evidenceSummary(e(null))).not.toBe(evidenceSummary(e(['web'])));
    // Migrations that count every service keep the summary they had before services could be named.
    expect(JSON.parse(evidenceSummary(e(null)))).not.toHaveProperty('services');
  });
});

describe('brownouts in the gate', () => {
  const base = { now, backfill: { required: false, done: false }, parity: { required: false, latest: null } };
  const brownout = (over: Partial<NonNullable<Parameters<typeof evaluateGate>[0]['brownout']>> = {}) => ({
    required: false,
    deployedAt: minutesAgo(60),
    running: false,
    latest: null,
    ...over,
  });
  const conditions = (b: ReturnType<typeof brownout>) => evaluateGate({ ...base, brownout: b }).conditions;

  it('not required and none run: no condition at all', () => {
    expect(conditions(brownout())).toEqual([]);
  });

  it('one running: the contract waits for it', () => {
    expect(conditions(brownout({ running: true }))).toEqual([
      { name: 'brownout', met: false, detail: 'a brownout is running: the contract waits for it to end' },
    ]);
  });

  it('the latest put back because something broke closes the gate, required or not', () => {
    const latest = {
      status: 'reverted' as const,
      startedAt: minutesAgo(30),
      seconds: 300,
      outcome: 'reverted: 42703 column "user_email" does not exist from cron',
    };
    for (const required of [false, true]) {
      const d = evaluateGate({ ...base, brownout: brownout({ required, latest }) });
      expect(d.allowed).toBe(false);
      expect(d.reasons).toEqual([
        'the brownout of 2026-11-27 09:30 UTC was reverted: 42703 column "user_email" does not exist from cron: fix what still uses the column, then run a clean brownout',
      ]);
    }
  });

  it('the latest clean: met, with how long it ran', () => {
    const d = evaluateGate({
      ...base,
      brownout: brownout({ required: true, latest: { status: 'clean', startedAt: minutesAgo(20), seconds: 300, outcome: 'clean' } }),
    });
    expect(d.allowed).toBe(true);
    expect(d.conditions).toEqual([
      { name: 'brownout', met: true, detail: 'a clean brownout since the deploy: 5 minutes from 2026-11-27 09:40 UTC, nothing broke' },
    ]);
  });

  it('required and none since the deploy: unknown, said differently before the deploy is marked', () => {
    expect(conditions(brownout({ required: true }))).toEqual([
      {
        name: 'brownout',
        met: false,
        unknown: true,
        detail: 'no brownout since the deploy: this contract waits for one clean brownout (the old column out of reach for a few minutes, nothing breaking)',
      },
    ]);
    expect(conditions(brownout({ required: true, deployedAt: null }))[0]!.detail).toBe(
      'this contract waits for one clean brownout, which runs once the deploy is marked',
    );
  });
});
