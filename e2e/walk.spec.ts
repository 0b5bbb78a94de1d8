import { expect, test, type Locator, type Page } from '@playwright/test';
import { signInAs } from './sign-in';

/**
 * Clicks until the server says yes (the evidence arrives over time), or gives up. The button is
 * offered only once the evidence allows it, so until then there is nothing to click: reload.
 */
async function retryUntil(page: Page, click: () => Promise<void>, ok: Locator, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const clicked = await click().then(
      () => true,
      () => false,
    );
    const people = page.getByTestId('people');
    const answer = !clicked
      ? 'no'
      : await Promise.race([
          ok.waitFor({ timeout: 15_000 }).then(() => 'ok'),
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

  // A reviewer approves the plan; the author is not offered expand before that, and reads what it waits for.
  await expect(author.getByRole('button', { name: 'Run expand' })).toHaveCount(0);
  await expect(author.getByTestId('next-step')).toHaveText('waiting for plan approval by a reviewer (1 of 1 needed)');
  const reviewer = await browser.newPage();
  await signInAs(reviewer, 'reviewer', url.replace(/^https?:\/\/[^/]+/, ''));
  await reviewer.getByRole('button', { name: 'Approve plan' }).click();
  await expect(reviewer.getByTestId('next-step')).toHaveText('waiting for expand by the author (author@demo.local)');

  // Expand, backfill (the job worker runs it), verify, and the deploy of v2.
  await author.reload();
  await author.getByRole('button', { name: 'Run expand' }).click();
  // Expanded: the expand is no longer offered, the backfill is the next step.
  await expect(author.getByTestId('next-step')).toHaveText('waiting for the backfill by the author (author@demo.local)');
  await expect(author.getByRole('button', { name: 'Run expand' })).toHaveCount(0);
  await author.reload();
  await author.getByRole('button', { name: 'Run backfill' }).click();
  // Queued (or already running): not offered a second time.
  await expect(author.getByTestId('next-step')).toHaveText(/a phase waits in the job queue|the backfill is running|waiting for verify/);
  await expect(author.getByRole('button', { name: 'Run backfill' })).toHaveCount(0);
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
  // Marked: it can be taken back, not marked again, and the buffer clock runs.
  await expect(author.getByRole('button', { name: 'Take back deploy mark' })).toBeVisible();
  await expect(author.getByRole('button', { name: 'Mark deployed' })).toHaveCount(0);
  // Deployed code now reads contact_email: the author may no longer roll back (the rollback is not offered to them).
  await author.reload();
  await expect(author.getByTestId('rollback-form')).toHaveCount(0);
  await expect(author.getByRole('button', { name: 'Run rollback' })).toHaveCount(0);
  await author.setViewportSize({ width: 1440, height: 900 });
  await author.screenshot({ path: 'test-results/screenshots/rollback-after-deploy-author-1440.png', fullPage: true });

  // The person on call approves from a phone once the buffer passed and v1's reads of user_email stopped, then contracts.
  const oncall = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signInAs(oncall, 'oncall', url.replace(/^https?:\/\/[^/]+/, ''));
  // The person on call could roll back, typing the deploy; a wrong name is refused by the server.
  const rollback = oncall.getByTestId('rollback-form');
  await expect(rollback.getByRole('button', { name: 'Run rollback' })).toBeEnabled();
  await expect(rollback).toContainText(/Type deploy \d{4}-\d{2}-\d{2} \d{2}:\d{2} to confirm/);
  await rollback.getByRole('textbox').fill('deploy 1999-01-01 00:00');
  await rollback.getByRole('button', { name: 'Run rollback' }).click();
  await expect(rollback.getByRole('alert')).toContainText('deployed code reads the new column the rollback drops: type deploy');
  await rollback.screenshot({ path: 'test-results/screenshots/rollback-after-deploy-oncall-390.png' });
  // Approved on evidence that allows it: the contract itself is offered then.
  await retryUntil(
    oncall,
    () => oncall.getByRole('button', { name: 'Approve contract' }).click({ timeout: 5000 }),
    oncall.getByRole('button', { name: 'Contract', exact: true }),
    200_000,
  );
  await expect(oncall.getByTestId('next-step')).toHaveText('the gate is open: waiting for the contract by the person on call (oncall@demo.local)');
  await oncall.getByTestId('contract-form').getByRole('textbox').fill('leads.user_email');
  await oncall.getByRole('button', { name: 'Contract', exact: true }).click();
  await expect(oncall.getByTestId('next-step')).toHaveText(/^finished: contracted \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by oncall@demo\.local$/, {
    timeout: 30_000,
  });
  await oncall.reload();
  await expect(oncall.getByTestId('stepper').locator('[data-step="contract"]')).toHaveAttribute('data-state', 'done');
  // Contracted: a summary of what happened; no rollback, approval or contract offered any more, only the restore.
  await expect(oncall.getByTestId('rollback-form')).toHaveCount(0);
  await expect(oncall.getByRole('button', { name: 'Run rollback' })).toHaveCount(0);
  await expect(oncall.getByRole('button', { name: 'Approve contract' })).toHaveCount(0);
  await expect(oncall.getByTestId('summary')).toContainText(/Contract approved by\s*oncall@demo\.local/);
  await expect(oncall.getByRole('button', { name: 'Restore', exact: true })).toBeVisible();
  await oncall.screenshot({ path: 'test-results/screenshots/contract-on-phone.png', fullPage: true });
  // Nothing on the page is wider than the phone.
  expect(await oncall.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // The demo's traffic saw no error at any point: the gate's error evidence says so, and the column is gone.
  await expect(oncall.getByTestId('audit-trail').locator('[data-action="phase.succeeded"]').first()).toContainText('oncall@demo.local ran contract: succeeded');
  await oncall.goto('/');
  await expect(oncall.locator('[data-table="public.leads"] [data-column="user_email"]')).toHaveCount(0);
  await expect(oncall.locator('[data-table="public.leads"] [data-column="contact_email"]')).toBeVisible();
});
