import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';
import { signInAs, type DemoRole } from './sign-in';

/**
 * The migration page follows the migration's state, on the seeded demo history
 * (lib/demo/seed-demo-history.ts): 1 contracted, 2 rolled back, 3 backfilled and deployed with its
 * gate closed, 4 planned. Read only: nothing here changes the seeded migrations.
 */
const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'expand-contract.mjs'), ...args], {
    env: { ...process.env, EC_DATA_DIR: e2eDataRoot, DATABASE_URL: '', TARGET_DATABASE_URL: '' },
    encoding: 'utf8',
  });

const CONTRACTED = 1;
const ROLLED_BACK = 2;
const MONITORING = 3;
const PLANNED = 4;

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

async function shoot(page: Page, role: DemoRole, id: number) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    // Charts follow a resize a moment later: the picture is taken once nothing is wider than the screen.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: `test-results/screenshots/migration-${id}-${role}-${width}.png`, fullPage: true });
  }
}

/** Finished migrations offer no approval and no contract to anyone: what happened, and for the person on call a restore. */
async function finishedPages(page: Page, role: DemoRole) {
  // Signed in on the rolled-back one; the contracted one last, for its summary and screenshots.
  for (const id of [ROLLED_BACK, CONTRACTED]) {
    if (id === CONTRACTED) await page.goto(`/migrations/${id}`);
    await expect(page.getByTestId('next-step')).toContainText(/^finished: (contracted|rolled back) \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by /);
    for (const name of ['Approve plan', 'Approve contract', 'Contract', 'Run expand', 'Run rollback']) await expect(button(page, name)).toHaveCount(0);
    await expect(page.getByTestId('gate')).toHaveCount(0);
    await expect(page.getByTestId('preflight')).toHaveCount(0);
  }
  const summary = page.getByTestId('summary');
  await expect(summary).toContainText(/Contracted\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by \S+@demo\.local/);
  await expect(summary).toContainText(/Plan approved by\s*reviewer@demo\.local \(\d{4}-\d{2}-\d{2}/);
  await expect(summary).toContainText(/Contract approved by\s*oncall@demo\.local/);
  // The evidence the contract went ahead on, frozen as the person on call approved it.
  const frozen = summary.getByTestId('frozen-evidence');
  await expect(frozen.getByRole('heading')).toHaveText(/^Evidence at the contract approval \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, oncall@demo\.local\)$/);
  await expect(frozen).toContainText('legacy-reads: 0 reads and 0 writes of users.display_name since the deploy');
  await expect(button(page, 'Restore')).toHaveCount(role === 'oncall' ? 1 : 0);
  await shoot(page, role, CONTRACTED);
}

for (const role of ['viewer', 'author', 'reviewer', 'admin'] as const) {
  test(`as ${role}: finished migrations are summaries, the planned one waits for its plan approval`, async ({ page }) => {
    await signInAs(page, role, `/migrations/${ROLLED_BACK}`);
    await finishedPages(page, role);

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`/migrations/${PLANNED}`);
    await expect(page.getByTestId('next-step')).toHaveText('waiting for plan approval by a reviewer (1 of 1 needed)');
    // Nothing but the approval can happen before it: no phase, no deploy mark, no rollback, for anyone.
    for (const name of ['Run expand', 'Run backfill', 'Run verify', 'Mark deployed', 'Run rollback', 'Approve contract', 'Contract'])
      await expect(button(page, name)).toHaveCount(0);
    // Only a reviewer who is not the author approves it, and it is their next step: drawn as the primary action.
    await expect(button(page, 'Approve plan')).toHaveCount(role === 'reviewer' ? 1 : 0);
    await expect(page.locator('[data-primary="true"]').getByRole('button', { name: 'Approve plan' })).toHaveCount(role === 'reviewer' ? 1 : 0);
    // Nothing ran: no contract gate to read yet. Its author or an admin may withdraw it; only they edit its schedule.
    await expect(page.getByTestId('gate')).toHaveCount(0);
    const owner = role === 'author' || role === 'admin';
    await expect(page.getByTestId('cancel-form')).toHaveCount(owner ? 1 : 0);
    await expect(page.getByTestId('schedule').getByRole('button', { name: 'Save schedule' })).toHaveCount(owner ? 1 : 0);
    await expect(page.getByTestId('schedule-times')).toHaveCount(owner ? 0 : 1);
    await shoot(page, role, PLANNED);

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`/migrations/${MONITORING}`);
    // In monitoring, with its gate closed: no approvals of a plan already run, no contract to approve or run.
    for (const name of ['Approve plan', 'Approve contract', 'Contract', 'Run expand']) await expect(button(page, name)).toHaveCount(0);
    await expect(page.getByTestId('gate')).toContainText('Contract gate: not allowed');
    await shoot(page, role, MONITORING);
  });
}

test('as the person on call: restore on the contracted one, and on a phone the gate and the contract come first', async ({ page }) => {
  await signInAs(page, 'oncall', `/migrations/${ROLLED_BACK}`);
  await finishedPages(page, 'oncall');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/migrations/${MONITORING}`);
  const verdict = page.getByTestId('gate').getByRole('heading');
  await expect(verdict).toHaveText('Contract gate: not allowed');
  const contract = page.getByTestId('contract-form');
  // The gate is closed: the contract says why instead of offering a button, and no approval is asked for yet.
  await expect(contract).toContainText('Contract opens when the gate does:');
  await expect(button(page, 'Contract')).toHaveCount(0);
  await expect(button(page, 'Approve contract')).toHaveCount(0);
  for (const el of [verdict, page.getByTestId('gate-condition').last(), contract]) {
    const box = await el.boundingBox();
    expect(box!.y + (el === contract ? 0 : box!.height)).toBeLessThan(1200);
  }
  await shoot(page, 'oncall', MONITORING);

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/migrations/${PLANNED}`);
  await expect(page.getByTestId('next-step')).toHaveText('waiting for plan approval by a reviewer (1 of 1 needed)');
  await expect(button(page, 'Run rollback')).toHaveCount(0);
  await shoot(page, 'oncall', PLANNED);

  // The command line agrees: a contracted migration's gate is not "allowed", it is finished.
  const status = cli('status', String(CONTRACTED));
  expect(status).toContain(`contract none to run: migration ${CONTRACTED} is contracted (finished)`);
  expect(status).not.toContain('contract allowed');
});

test('as the author: a plan made by mistake is cancelled, says who cancelled it and why, and leaves the timeline', async ({ page }) => {
  await signInAs(page, 'author', '/migrations/new');
  const form = page.getByTestId('new-migration');
  await form.getByLabel('Table', { exact: true }).selectOption('public.orders');
  await form.getByLabel('Operation').selectOption('rename-column');
  await form.getByLabel('Column', { exact: true }).selectOption('status');
  await form.getByLabel('New name').fill('order_state');
  await form.getByRole('button', { name: 'Preview SQL' }).click();
  await form.getByRole('button', { name: 'Create migration' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rename public.orders.status to order_state');
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  // Its proposed week shows it, before the cancel.
  const week = (await page.getByTestId('schedule').getByLabel('Expand').inputValue()).slice(0, 10);
  const lane = (p: Page) => p.getByTestId('timeline').locator(`[data-migration="${id}"]`);
  await page.goto(`/?week=${week}`);
  await expect(lane(page)).toHaveCount(1);

  await page.goto(`/migrations/${id}`);
  const cancel = page.getByTestId('cancel-form');
  await cancel.getByText('Cancel this migration…').click();
  await cancel.getByLabel('Why (optional)').fill('picked the wrong column');
  await cancel.getByRole('button', { name: `Cancel migration #${id}` }).click();
  await expect(page.getByTestId('next-step')).toHaveText(/^finished: cancelled \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by author@demo\.local$/);
  const summary = page.getByTestId('summary');
  await expect(summary).toContainText(/Cancelled\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by author@demo\.local/);
  await expect(summary).toContainText(/Why\s*picked the wrong column/);
  await expect(page.locator('h1 ~ * [data-state="cancelled"], [data-state="cancelled"]').first()).toHaveText('cancelled');
  for (const name of ['Approve plan', 'Run expand', `Cancel migration #${id}`]) await expect(button(page, name)).toHaveCount(0);
  // It never ran: no gate, pre-flight, schedule, backfill or error evidence, only what happened.
  for (const section of ['gate', 'preflight', 'schedule', 'cancel-form', 'backfill', 'services']) await expect(page.getByTestId(section)).toHaveCount(0);
  await shoot(page, 'author', id);

  // Gone from the week it was proposed for; still listed, struck through, among the migrations.
  await page.goto(`/?week=${week}`);
  await expect(page.getByTestId('timeline')).toBeVisible();
  await expect(lane(page)).toHaveCount(0);
  await page.goto('/migrations');
  await expect(page.locator(`a[href="/migrations/${id}"]`).first()).toBeVisible();
});
