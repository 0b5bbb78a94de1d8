import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './sign-in';

/** Clicks until the server says yes (the evidence arrives over time), or gives up. */
async function retryUntil(page: Page, click: () => Promise<void>, ok: RegExp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await click();
    const people = page.getByTestId('people');
    const answer = await Promise.race([
      people
        .getByRole('status')
        .filter({ hasText: ok })
        .first()
        .waitFor({ timeout: 15_000 })
        .then(() => 'ok'),
      people
        .getByRole('alert')
        .first()
        .waitFor({ timeout: 15_000 })
        .then(() => 'no'),
    ]).catch(() => 'no');
    if (answer === 'ok') return;
    if (Date.now() > deadline)
      throw new Error(
        `still refused: ${await people
          .getByRole('alert')
          .first()
          .textContent()
          .catch(() => '')}`,
      );
    await page.waitForTimeout(5000);
    await page.reload();
  }
}

test('the demo rename, walked through every phase by three people, ends in an on-call contract with no error', async ({ browser }) => {
  test.setTimeout(300_000);
  // The author plans it from the live schema.
  const author = await browser.newPage();
  await signInAs(author, 'author', '/migrations/new');
  const form = author.getByTestId('new-migration');
  await form.getByLabel('Table', { exact: true }).selectOption('public.leads');
  await form.getByLabel('Column', { exact: true }).selectOption('user_email');
  await form.getByLabel('New name').fill('contact_email');
  await form.getByRole('button', { name: 'Create migration' }).click();
  await expect(author.getByRole('heading', { level: 1 })).toHaveText('Rename public.leads.user_email to contact_email');
  const url = author.url();

  // A reviewer approves the plan; the author cannot expand before that.
  await expect(author.getByRole('button', { name: 'Run expand' })).toBeDisabled();
  const reviewer = await browser.newPage();
  await signInAs(reviewer, 'reviewer', url.replace(/^https?:\/\/[^/]+/, ''));
  await reviewer.getByRole('button', { name: 'Approve plan' }).click();
  await expect(reviewer.getByTestId('people').getByRole('status').first()).toHaveText('plan approved');

  // Expand, backfill (the job worker runs it), verify, and the deploy of v2.
  await author.reload();
  await author.getByRole('button', { name: 'Run expand' }).click();
  await expect(author.getByTestId('people').getByRole('status').first()).toHaveText('expand: succeeded');
  await author.reload();
  await author.getByRole('button', { name: 'Run backfill' }).click();
  await expect(author.getByTestId('people').getByRole('status').first()).toContainText('backfill queued');
  await expect
    .poll(
      async () => {
        await author.reload();
        return author.getByTestId('stepper').locator('[data-step="backfill"]').getAttribute('data-state');
      },
      { timeout: 60_000, intervals: [1000] },
    )
    .toBe('done');
  await author.getByRole('button', { name: 'Run verify' }).click();
  await expect(author.getByTestId('people').getByRole('status').first()).toHaveText('verify: succeeded');
  await author.reload();
  await author.getByRole('button', { name: 'Mark deployed' }).click();
  await expect(author.getByTestId('people').getByRole('status').first()).toContainText('deploy marked');
  // Deployed code now reads contact_email: the author may no longer roll back; the rollback asks for the deploy by name.
  await author.reload();
  const authorRollback = author.getByTestId('rollback-form');
  await expect(authorRollback.getByRole('button', { name: 'Run rollback' })).toBeDisabled();
  await expect(authorRollback).toContainText('only the person on call right now may roll back');
  await expect(authorRollback).toContainText(/Type deploy \d{4}-\d{2}-\d{2} \d{2}:\d{2} to confirm/);
  await author.setViewportSize({ width: 1440, height: 900 });
  await author.screenshot({ path: 'test-results/screenshots/rollback-after-deploy-author-1440.png', fullPage: true });

  // The person on call approves from a phone once the buffer passed and v1's reads of user_email stopped, then contracts.
  const oncall = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signInAs(oncall, 'oncall', url.replace(/^https?:\/\/[^/]+/, ''));
  // The person on call could roll back, typing the deploy; a wrong name is refused by the server.
  const rollback = oncall.getByTestId('rollback-form');
  await expect(rollback.getByRole('button', { name: 'Run rollback' })).toBeEnabled();
  await rollback.getByRole('textbox').fill('deploy 1999-01-01 00:00');
  await rollback.getByRole('button', { name: 'Run rollback' }).click();
  await expect(rollback.getByRole('alert')).toContainText('deployed code reads the new column the rollback drops: type deploy');
  await rollback.screenshot({ path: 'test-results/screenshots/rollback-after-deploy-oncall-390.png' });
  await retryUntil(oncall, () => oncall.getByRole('button', { name: 'Approve contract' }).click(), /contract approved/, 200_000);
  await oncall.reload();
  await oncall.getByTestId('contract-form').getByRole('textbox').fill('leads.user_email');
  await oncall.getByRole('button', { name: 'Contract', exact: true }).click();
  await expect(oncall.getByTestId('contract-form').getByRole('status')).toHaveText('contract: succeeded', { timeout: 30_000 });
  await oncall.reload();
  await expect(oncall.getByTestId('stepper').locator('[data-step="contract"]')).toHaveAttribute('data-state', 'done');
  // Contracted: no rollback to confirm any more; the button says why, in the executor's words.
  await expect(oncall.getByTestId('rollback-form')).toHaveCount(0);
  await expect(oncall.getByRole('button', { name: 'Run rollback' })).toBeDisabled();
  await expect(oncall.getByTestId('people')).toContainText('is contracted: rollback runs only when it is expanded or backfilled or restored');
  await oncall.screenshot({ path: 'test-results/screenshots/contract-on-phone.png', fullPage: true });
  // Nothing on the page is wider than the phone.
  expect(await oncall.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // The demo's traffic saw no error at any point: the gate's error evidence says so, and the column is gone.
  await expect(oncall.getByTestId('audit-trail')).toContainText('phase.succeeded');
  await oncall.goto('/');
  await expect(oncall.locator('[data-table="public.leads"] [data-column="user_email"]')).toHaveCount(0);
  await expect(oncall.locator('[data-table="public.leads"] [data-column="contact_email"]')).toBeVisible();
});
