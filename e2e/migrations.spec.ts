import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';
import { signInAs } from './sign-in';
import { superuser } from './superuser';

const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'expand-contract.mjs'), ...args], {
    // The dashboard under test runs on its own embedded server; the command finds and reuses it.
    env: { ...process.env, EC_DATA_DIR: e2eDataRoot, DATABASE_URL: '', TARGET_DATABASE_URL: '' },
    encoding: 'utf8',
  });

test('a rename registered and run from the command line shows its progress and gate in the dashboard', async ({ page }) => {
  const created = cli('create', 'rename', 'public.leads.full_name', 'display_name');
  const id = created.match(/created migration (\d+)/)![1]!;
  cli('run', id, 'expand');
  cli('run', id, 'backfill');

  await signInAs(page, 'viewer', '/migrations');
  const row = page.getByTestId('migration-row').filter({ hasText: 'Rename public.leads.full_name to display_name' });
  await expect(row).toContainText('backfilled');
  await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');

  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rename public.leads.full_name to display_name');
  // Every row, however many the demo traffic has inserted by now.
  await expect(page.getByTestId('backfill')).toContainText(/100\.0% · (100,\d{3}) \/ \1 rows/);
  await expect(page.getByTestId('phases')).toContainText('expand');
  const gate = page.getByTestId('gate');
  await expect(gate).toContainText('Contract gate: not allowed');
  await expect(gate.locator('[data-testid="gate-condition"][data-met="true"]').filter({ hasText: 'backfill' })).toContainText('backfill complete');
  await expect(gate).toContainText('no parity check yet: run verify');

  cli('run', id, 'verify');
  await page.reload();
  await expect(gate.locator('[data-testid="gate-condition"][data-met="true"]').filter({ hasText: 'parity' })).toContainText(
    /0 of [\d,]+ rows differ \(table holds [\d,]+\)/,
  );
  // The demo traffic still writes full_name (its inserts), or the column has not been watched long enough yet:
  // either way the gate says why instead of allowing the drop.
  await expect(gate).toContainText(
    /public\.leads\.full_name is still used: \d+ read\(s\) and [1-9]\d* write\(s\)|watched for \d+ of the required \d+ minutes since the expand/,
  );

  // The stepper: expand, backfill and verify done (who, when); deploy and contract still to come.
  const steps = page.getByTestId('stepper').locator('li');
  expect(await steps.evaluateAll((li) => li.map((l) => `${l.getAttribute('data-step')}:${l.getAttribute('data-state')}`))).toEqual([
    'expand:done',
    'backfill:done',
    'verify:done',
    'deploy:todo',
    'contract:todo',
  ]);

  // The pre-flight checklist answers from evidence: the backfill just measured this target's speed.
  const preflight = page.getByTestId('preflight');
  await expect(preflight.locator('[data-answer="yes"]').filter({ hasText: 'Can it be rolled back?' })).toBeVisible();
  await expect(preflight.locator('[data-answer="yes"]').filter({ hasText: 'Will old code still work?' })).toBeVisible();
  await expect(preflight.filter({ hasText: 'How big is the data?' })).toContainText(
    /~100,\d{3} rows, [\d.]+ MB; backfill about \d+ s at the measured [\d,]+ rows\/s; locks: ACCESS EXCLUSIVE/,
  );

  // The SQL of every phase, and the expand as the Supabase migration file with the version the executor recorded.
  const expandSql = page.getByTestId('sql').locator('details[data-phase="expand"]');
  await expandSql.locator('summary').click();
  await expect(expandSql.locator('pre')).toContainText('ADD COLUMN IF NOT EXISTS "display_name" text');
  const file = await page.request.get(`/migrations/${id}/files/expand`);
  expect(file.headers()['content-disposition']).toMatch(/filename="\d{14}_rename_leads_full_name_to_display_name_expand\.sql"/);
  expect(await file.text()).toContain('CREATE OR REPLACE FUNCTION');
  // The contract's SQL is there to review, but its file waits for the gate (and is only ever the author's and the on-call's).
  const contractSql = page.getByTestId('sql').locator('details[data-phase="contract"]');
  await contractSql.locator('summary').click();
  await expect(contractSql.locator('pre')).toContainText('DROP COLUMN IF EXISTS "full_name"');
  await expect(contractSql.getByTestId('contract-file-refused')).toBeVisible();
  await expect(contractSql.getByRole('link', { name: 'download as Supabase migration' })).toHaveCount(0);
  await expect(contractSql.getByTestId('contract-file-why')).toContainText(/is for the author and the person on call|The gate is closed/);
  const refused = await page.request.get(`/migrations/${id}/files/contract`);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error).toMatch(/author and the person on call|gate is closed/);

  // Error rates reported by a service appear on the chart, on the migration's time axis.
  const token = cli('token', 'create', 'ingest', 'web').trim().split('\n').at(-1)!;
  const points = [0, 1, 2].map((i) => ({
    service: 'web',
    version: 'v2',
    timestamp: new Date(Date.now() - i * 60_000).toISOString(),
    requests: 200,
    errors: i,
  }));
  expect((await page.request.post('/api/v1/metrics', { headers: { authorization: `Bearer ${token}` }, data: { batchId: 'e2e-chart', points } })).status()).toBe(
    200,
  );
  await page.reload();
  await expect(page.getByTestId('error-chart').locator('.recharts-surface')).toBeVisible();
  // One line per service reporting (web here, beside the demo traffic's demo-web), each named in the legend.
  const services = page.getByTestId('error-chart').locator('[data-testid="legend-entry"][data-series="service"]');
  await expect(services.and(page.locator('[data-name="web"]'))).toBeVisible();
  await expect(page.getByTestId('error-chart').locator('.recharts-line')).toHaveCount(await services.count());
  await page.screenshot({ path: 'test-results/screenshots/migration.png', fullPage: true });

  // The timeline: what ran today is drawn solid in this week's lane, at the now line; of the plan only what is still
  // to come is left (the expand ran), with the buffer up to the planned contract.
  await page.goto('/');
  const lane = page.locator(`[data-testid="timeline-lane"][data-migration="${id}"]`);
  await expect(lane.locator('[data-testid="timeline-bar"][data-kind="actual"][data-phase="expand"]')).toHaveAttribute('data-status', 'succeeded');
  await expect(lane.locator('[data-testid="timeline-bar"][data-kind="actual"][data-phase="backfill"]')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('now-line').first()).toBeVisible();
  await page.getByTestId('timeline').screenshot({ path: 'test-results/screenshots/timeline.png' });
  const db = await superuser('dashboard');
  const { rows } = await db.query("SELECT schedule->>'contractAt' AS contract FROM expand_contract.migrations WHERE id = $1", [id]).finally(() => db.end());
  await page.goto(`/?week=${rows[0].contract.slice(0, 10)}`);
  const planned = page.locator(`[data-testid="timeline-lane"][data-migration="${id}"] [data-kind="planned"]`);
  expect(await planned.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-phase')))).toContain('contract');
  expect(await planned.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-phase')))).not.toContain('expand');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screenshots/timeline-phone.png', fullPage: true });
});
