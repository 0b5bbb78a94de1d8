import { expect, test, type Locator, type Page } from '@playwright/test';
import { signInAs } from './sign-in';
import { superuser } from './superuser';

/**
 * The migration page's charts read at a glance, measured in the browser: the rate axis fits the
 * data, every series is named, each phase's band sits where its times say on the axis, band
 * labels never overlap, the range control changes the window, and a phone shows it all.
 * The seeded history is the fixture: #1 a rename contracted last week (given a second service,
 * Postgres errors and sampled reads of its old column here), #3 a NOT NULL in monitoring.
 */
const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const MIN = 60_000;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const boxes = (l: Locator) => l.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as Box));
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function expectApart(list: Box[], what: string) {
  for (let i = 0; i < list.length; i += 1)
    for (let j = i + 1; j < list.length; j += 1) expect(overlap(list[i]!, list[j]!), `${what} ${i} and ${j} overlap`).toBe(false);
}

/** Each band where its phase's times fall on the chart's own x axis (recharts' axis line spans the plot). */
async function expectBandsOnAxis(plot: Locator) {
  const from = Number(await plot.getAttribute('data-from'));
  const to = Number(await plot.getAttribute('data-to'));
  const axis = (await boxes(plot.locator('.recharts-xAxis .recharts-cartesian-axis-line')))[0]!;
  const x = (t: number) => axis.x + ((Math.min(to, Math.max(from, t)) - from) / (to - from)) * axis.width;
  const bands = plot.locator('[data-testid="phase-band"], [data-testid="zero-reads"]');
  const phases: string[] = [];
  for (const band of await bands.all()) {
    const start = Number(await band.getAttribute('data-from'));
    const end = Number(await band.getAttribute('data-to'));
    const box = (await boxes(band))[0]!;
    const phase = (await band.getAttribute('data-phase'))!;
    phases.push(phase);
    // A phase too short to see is widened to 4 px from where it began (kept inside the plot).
    if (x(end) - x(start) >= 4) {
      expect(Math.abs(box.x - x(start)), `${phase} starts where its time is`).toBeLessThanOrEqual(3);
      expect(Math.abs(box.x + box.width - x(end)), `${phase} ends where its time is`).toBeLessThanOrEqual(3);
    } else {
      expect(Math.abs(box.x - Math.min(x(start), axis.x + axis.width - 4)), `${phase} starts where its time is`).toBeLessThanOrEqual(3);
      expect(box.width, `${phase} is still seen`).toBeGreaterThanOrEqual(3.5);
    }
    // Full height: from the plot's top to the x axis.
    expect(Math.abs(box.y + box.height - axis.y)).toBeLessThanOrEqual(2);
  }
  return phases;
}

/** The rate axis's top is at most twice the highest rate drawn (read from the lines' pixels against the axis ticks). */
async function expectRateAxisFits(chart: Locator) {
  const ticks = chart.locator('.recharts-yAxis-tick-labels').first().locator('.recharts-cartesian-axis-tick-value');
  const read = await ticks.evaluateAll((els) =>
    els.map((text) => ({ value: parseFloat(text.textContent!) / 100, y: text.getBoundingClientRect().y + text.getBoundingClientRect().height / 2 })),
  );
  const zero = read.find((t) => t.value === 0)!;
  const top = read.reduce((a, b) => (b.value > a.value ? b : a));
  expect(new Set(read.map((t) => t.value)).size, 'no two ticks read the same').toBe(read.length);
  const lines = await boxes(chart.locator('.recharts-line path.recharts-curve'));
  const highest = Math.min(...lines.map((l) => l.y));
  const dataMax = ((zero.y - highest) / (zero.y - top.y)) * top.value;
  expect(dataMax).toBeGreaterThan(0);
  expect(top.value, `axis top ${top.value} against the highest rate ${dataMax}`).toBeLessThanOrEqual(2 * dataMax + 1e-9);
  expect(dataMax).toBeLessThanOrEqual(top.value * 1.02);
}

const tickLabels = (plot: Locator) => plot.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
const width = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test.beforeAll(async () => {
  // #1's window: a second service, errors in the Postgres log after the expand, and the sampler
  // watching its old column, read until an hour after the deploy.
  const db = await superuser('dashboard');
  try {
    const { rows } = await db.query<{ target: string; expand: Date; deployed: Date; ended: Date }>(
      `SELECT m.target, min(r.started_at) AS expand, m.deployed_at AS deployed, max(r.finished_at) AS ended
         FROM expand_contract.migrations m JOIN expand_contract.phase_runs r ON r.migration_id = m.id WHERE m.id = 1 GROUP BY m.id`,
    );
    const { target, expand, deployed, ended } = rows[0]!;
    await db.query(
      `INSERT INTO expand_contract.metric_minutes (source, service, minute, requests, errors)
       SELECT 'app', s, m, 800, CASE WHEN s = 'demo-api' AND m BETWEEN $2::timestamptz AND $2::timestamptz + interval '30 minutes' THEN 12 ELSE 1 END
         FROM unnest(ARRAY['demo-api', 'demo-web']) s,
              generate_series(date_trunc('minute', $1::timestamptz), date_trunc('minute', $3::timestamptz), interval '1 minute') m
       ON CONFLICT DO NOTHING`,
      [new Date(expand.getTime() - 70 * MIN), expand, new Date(ended.getTime() + 70 * MIN)],
    );
    await db.query(
      `INSERT INTO expand_contract.metric_minutes (source, service, minute, sqlstate, errors)
       SELECT 'postgres', $1, m, '42703', 5 FROM generate_series(date_trunc('minute', $2::timestamptz), date_trunc('minute', $2::timestamptz) + interval '20 minutes', interval '1 minute') m
       ON CONFLICT DO NOTHING`,
      [target, expand],
    );
    await db.query(
      "INSERT INTO expand_contract.statements (target, queryid, query) VALUES ($1, 90001, 'SELECT display_name FROM users WHERE id = $1') ON CONFLICT DO NOTHING",
      [target],
    );
    await db.query(
      `INSERT INTO expand_contract.sampler_runs (target, sampled_at, status)
       SELECT $1, t, 'ok' FROM generate_series($2::timestamptz, $3::timestamptz, interval '30 seconds') t`,
      [target, new Date(expand.getTime() - 70 * MIN), new Date(ended.getTime() + 70 * MIN)],
    );
    await db.query(
      `INSERT INTO expand_contract.statement_calls (target, sampled_at, queryid, role, calls)
       SELECT $1, t, 90001, 'old_app', 40 FROM generate_series($2::timestamptz, $3::timestamptz, interval '10 minutes') t ON CONFLICT DO NOTHING`,
      [target, expand, new Date(deployed.getTime() + 60 * MIN)],
    );
  } finally {
    await db.end();
  }
});

test('a contracted rename: every service, the Postgres log and the baseline named; each phase a band at its times; the range control', async ({ page }) => {
  await page.setViewportSize(DESK);
  await signInAs(page, 'viewer', '/migrations');
  await page.goto('/migrations/1');
  const chart = page.getByTestId('error-chart');
  const plot = chart.getByTestId('error-plot');
  await expect(plot.locator('.recharts-surface')).toBeVisible();

  // A legend entry per series: each service, the Postgres log, the baseline; one line per service.
  const legend = (series: string) => chart.locator(`[data-testid="legend-entry"][data-series="${series}"]`);
  await expect(legend('service')).toHaveText([/demo-api/, /demo-web/]);
  await expect(legend('postgres')).toContainText('Postgres log errors');
  await expect(legend('baseline')).toContainText(/baseline, the hour before the expand: \d+\.\d\d%/);
  await expect(plot.locator('.recharts-line')).toHaveCount(2);
  await expectRateAxisFits(plot);

  // Since the expand: the window is the migration's days, from a little before the expand to a little after the contract.
  const phases = await expectBandsOnAxis(plot);
  expect(phases).toEqual(expect.arrayContaining(['expand', 'backfill', 'verify', 'deploy', 'monitoring', 'contract']));
  expectApart(await boxes(plot.getByTestId('band-label')), 'band labels');
  const days = await tickLabels(plot);
  expect(days.length).toBeGreaterThanOrEqual(3);
  expect(new Set(days).size).toBe(days.length);
  for (const d of days) expect(d).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) /);

  // The tooltip gives exact counts per service and the Postgres log's count.
  const surface = plot.locator('.recharts-surface');
  const area = (await boxes(surface))[0]!;
  await surface.hover({ position: { x: area.width * 0.06, y: area.height / 2 } });
  await surface.hover({ position: { x: area.width * 0.08, y: area.height / 2 } });
  await expect(plot.getByTestId('error-tooltip')).toContainText(/demo-api: \d+\.\d\d% \(\d+ errors of \d+ requests\)/);
  await expect(plot.getByTestId('error-tooltip')).toContainText(/Postgres log: \d+ errors/);

  // The old column's uses on the same x axis, the span without reads since the deploy shaded, and the sampler's coverage.
  const legacy = page.getByTestId('legacy-chart');
  const legacyPlot = legacy.getByTestId('legacy-plot');
  await expect(legacyPlot.locator('.recharts-surface')).toBeVisible();
  for (const attr of ['data-from', 'data-to', 'data-plot-left', 'data-plot-width'])
    expect(await legacyPlot.getAttribute(attr)).toBe(await plot.getAttribute(attr));
  const [errorAxis] = await boxes(plot.locator('.recharts-xAxis .recharts-cartesian-axis-line'));
  const [legacyAxis] = await boxes(legacyPlot.locator('.recharts-xAxis .recharts-cartesian-axis-line'));
  expect(Math.abs(errorAxis!.x - legacyAxis!.x) + Math.abs(errorAxis!.width - legacyAxis!.width)).toBeLessThanOrEqual(1);
  await expect(legacyPlot.locator('.recharts-bar-rectangle').first()).toBeAttached();
  await expect(legacy.getByTestId('legacy-coverage')).toHaveText(/sampled (9\d|100)% of the window/);
  const zero = legacyPlot.getByTestId('zero-reads');
  const deploy = Number(await plot.locator('[data-testid="phase-band"][data-phase="deploy"]').getAttribute('data-from'));
  // The last read came an hour after the deploy: the span without reads starts there, not at the deploy.
  expect(Number(await zero.getAttribute('data-from')) - deploy).toBeGreaterThanOrEqual(55 * MIN);
  await expectBandsOnAxis(legacyPlot);
  await expect(legacy.getByTestId('zero-reads-legend')).toContainText('(the last read)');
  await page.getByRole('heading', { level: 1 }).hover();
  await page.getByTestId('error-chart').screenshot({ path: 'test-results/screenshots/charts-error-1440.png' });
  await legacy.screenshot({ path: 'test-results/screenshots/charts-legacy-1440.png' });
  await page.screenshot({ path: 'test-results/screenshots/charts-1440.png', fullPage: true });

  // The range control: the last hour, in HH:MM.
  const before = Number(await plot.getAttribute('data-from'));
  await page.getByTestId('chart-range').getByRole('link', { name: 'Last hour' }).click();
  await expect(page).toHaveURL(/range=1h/);
  await expect(page.getByTestId('chart-range').getByRole('link', { name: 'Last hour' })).toHaveAttribute('aria-current', 'page');
  await expect.poll(async () => Number(await plot.getAttribute('data-from'))).not.toBe(before);
  const span = Number(await plot.getAttribute('data-to')) - Number(await plot.getAttribute('data-from'));
  expect(span).toBeGreaterThanOrEqual(60 * MIN);
  expect(span).toBeLessThan(62 * MIN);
  for (const t of await tickLabels(plot)) expect(t).toMatch(/^\d\d:\d\d$/);
});

test('on a phone: a NOT NULL in monitoring, its short phases apart, its week in days, nothing wider than the screen', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signInAs(page, 'viewer', '/migrations/3');
  const plot = page.getByTestId('error-plot');
  await expect(plot.locator('.recharts-surface')).toBeVisible();
  await expect.poll(() => width(page), { message: 'the page at 390 px' }).toBeLessThanOrEqual(390);
  const phases = await expectBandsOnAxis(plot);
  expect(phases).toEqual(expect.arrayContaining(['expand', 'backfill', 'verify', 'deploy', 'monitoring']));
  // Expand, backfill and verify are minutes apart on a 33-hour axis 200-odd px wide: their labels take rows of their own.
  const labels = plot.getByTestId('band-label');
  expectApart(await boxes(labels), 'band labels');
  expect(await labels.count()).toBeGreaterThanOrEqual(3);
  expectApart(await boxes(plot.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')), 'time ticks');
  await expectRateAxisFits(plot);
  await page.getByRole('heading', { level: 1 }).hover();
  await page.getByTestId('error-chart').screenshot({ path: 'test-results/screenshots/charts-error-390.png' });
  await page.screenshot({ path: 'test-results/screenshots/charts-390.png', fullPage: true });

  await page.getByTestId('chart-range').getByRole('link', { name: '7 d' }).click();
  await expect(page).toHaveURL(/range=7d/);
  await expect
    .poll(async () => Number(await plot.getAttribute('data-to')) - Number(await plot.getAttribute('data-from')))
    .toBeGreaterThanOrEqual(7 * 24 * 60 * MIN);
  const days = await tickLabels(plot);
  expect(new Set(days).size).toBe(days.length);
  for (const d of days) expect(d).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) /);
  expectApart(await boxes(plot.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')), 'time ticks');
  await expect.poll(() => width(page)).toBeLessThanOrEqual(390);
  await page.getByRole('heading', { level: 1 }).hover();
  await page.getByTestId('error-chart').screenshot({ path: 'test-results/screenshots/charts-7d-390.png' });
});
