import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type pg from 'pg';
import { e2eDataRoot } from '../playwright.config';
import { signInAs, type DemoRole } from './sign-in';
import { superuser } from './superuser';

/**
 * A brownout from the migration page, on the demo target: a change created from the console (so
 * it has no author in the dashboard: only the person on call may start one), expanded, backfilled
 * and deployed. A nightly report that reads the old column through a function, which sampling
 * cannot see, runs during the first brownout: the page shows it reverted within seconds, with what
 * broke. Without it, the second runs clean. The timeline shows both.
 */
const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'expand-contract.mjs'), ...args], {
    env: { ...process.env, EC_DATA_DIR: e2eDataRoot, DATABASE_URL: '', TARGET_DATABASE_URL: '' },
    encoding: 'utf8',
  });

const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });

let target: pg.Client;
let id: string;

// Each step builds on the one before (the history it leaves): after a failure the rest would only repeat it.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  target = await superuser('demo');
  // Owned by the product's target login, as the demo's own tables are.
  await target.query(`SET ROLE expand_contract_target;
    CREATE TABLE public.bo_trial (id bigint PRIMARY KEY, user_email text NOT NULL);
    INSERT INTO public.bo_trial SELECT g, 'lead' || g || '@x.io' FROM generate_series(1, 500) g;
    CREATE FUNCTION public.bo_trial_report() RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM public.bo_trial WHERE user_email LIKE '%@x.io'; RETURN n; END $$;
    RESET ROLE`);
  id = cli('create', 'rename', 'public.bo_trial.user_email', 'contact_email').match(/created migration (\d+)/)![1]!;
  // Its own service, as its author would name it before the expand: the demo's traffic on other tables, which other
  // walks make fail on purpose, is no evidence about this column (an unnamed migration counts every service).
  const state = await superuser('dashboard');
  await state.query("UPDATE expand_contract.migrations SET services = '{bo-trial-app}' WHERE id = $1", [id]);
  await state.end();
  cli('run', id, 'expand');
  cli('run', id, 'backfill');
  cli('deployed', id);
});
test.afterAll(async () => {
  await target?.end();
});

async function shoot(page: Page, role: DemoRole) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: `test-results/screenshots/brownout-${role}-${width}.png`, fullPage: true });
    await page.getByTestId('brownout').screenshot({ path: `test-results/screenshots/brownout-section-${role}-${width}.png` });
  }
}

test('the person on call runs a brownout from a phone: a hidden reader is caught and the column is back within 5 s; then one runs clean', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, 'oncall', `/migrations/${id}`);
  const section = page.getByTestId('brownout');
  await expect(section).toContainText('not required; one that breaks something still closes the gate');
  await section.getByLabel('Minutes').fill('0.5');

  // The nightly report, as a cron job runs it, every 200 ms from the moment the brownout starts.
  const reader = await superuser('demo');
  await reader.query("SET application_name = 'nightly-report'");
  let reading = true;
  const reads = (async () => {
    while (reading) {
      await reader.query('SELECT public.bo_trial_report()').catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await button(section, 'Start brownout').click();

  // The page keeps itself fresh while one runs: it ends reverted, long before its 30 s.
  const history = section.getByTestId('brownout-history');
  await expect(history.locator(':scope > li').first()).toHaveAttribute('data-status', 'reverted', { timeout: 25_000 });
  reading = false;
  await reads;
  await reader.end();
  const first = history.locator(':scope > li').first();
  await expect(first).toContainText('Put back because:');
  const revert = await first.getByTestId('brownout-revert').textContent();
  expect(Number(revert!.match(/back ([\d.]+) s/)![1])).toBeLessThan(5);
  const broke = first.getByTestId('brownout-breaks');
  await expect(broke).toContainText('nightly-report');
  await expect(broke).toContainText('bo_trial_report()');
  await expect(broke).toContainText(/column "user_email" does not exist/);
  // The column is back, with every value; new code's column too.
  const { rows } = await target.query('SELECT count(*)::int AS n FROM public.bo_trial WHERE user_email IS DISTINCT FROM contact_email');
  expect(rows[0].n).toBe(0);
  // A brownout that broke something closes the gate, whatever else it says.
  await expect(page.getByTestId('gate')).toContainText(/the brownout of .* was reverted: 42703/);
  await shoot(page, 'oncall');

  // Nothing reads it any more: a short one runs its time clean.
  await page.setViewportSize({ width: 390, height: 844 });
  await section.getByLabel('Minutes').fill('0.1');
  await button(section, 'Start brownout').click();
  await expect(history.locator(':scope > li').first()).toHaveAttribute('data-status', 'clean', { timeout: 40_000 });
  await expect(history.locator(':scope > li')).toHaveCount(2);
  await expect(history.locator(':scope > li').first()).toContainText('clean: 6 s without a break');
  await expect(page.getByTestId('gate')).toContainText('a clean brownout since the deploy: 6 seconds from');
});

test('who sees what: a viewer and an author (not this change’s) read the history but may not start one; an admin may require one', async ({ browser }) => {
  for (const role of ['viewer', 'author'] as const) {
    const page = await browser.newPage();
    await signInAs(page, role, `/migrations/${id}`);
    const section = page.getByTestId('brownout');
    await expect(section.getByTestId('brownout-history').locator(':scope > li')).toHaveCount(2);
    await expect(button(section, 'Start brownout')).toBeDisabled();
    await expect(section).toContainText('only the author or the person on call starts or stops a brownout');
    await expect(section.getByLabel('Minutes')).toHaveCount(0);
    await expect(button(section, 'Require a clean brownout')).toHaveCount(0);
    await shoot(page, role);
    await page.close();
  }
  const admin = await browser.newPage();
  await signInAs(admin, 'admin', `/migrations/${id}`);
  const section = admin.getByTestId('brownout');
  await button(section, 'Require a clean brownout').click();
  await expect(section.getByTestId('brownout-required')).toContainText('one clean brownout is required (asked of this migration)');
  await expect(button(section, 'Do not require a brownout')).toBeVisible();
  await shoot(admin, 'admin');
  await admin.close();
});

test('the timeline shows both brownouts on the change’s lane: clean in the success colour, the reverted one in the failure colour', async ({ page }) => {
  await signInAs(page, 'viewer', '/');
  const lane = page.locator(`[data-testid="timeline-lane"][data-migration="${id}"]`);
  await expect(lane.locator('[aria-label^="brownout,"]')).toHaveCount(2);
  const reverted = lane.getByRole('button', { name: 'brownout, reverted: details' });
  await expect(reverted).toHaveAttribute('data-tone', 'failed');
  await expect(lane.getByRole('button', { name: 'brownout, clean: details' })).toHaveAttribute('data-tone', 'succeeded');
  await reverted.click();
  const details = page.getByTestId('bar-details').filter({ visible: true });
  await expect(details).toContainText(/Outcome\s*reverted/);
  await expect(details).toContainText(/reverted: 42703 column "user_email" does not exist from nightly-report/);
  await page.screenshot({ path: 'test-results/screenshots/brownout-timeline-1440.png', fullPage: true });
});
