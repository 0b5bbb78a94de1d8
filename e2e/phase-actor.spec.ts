import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';
import { signInAs } from './sign-in';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'expand-contract.mjs');
const CLI_ENV = { ...process.env, EC_DATA_DIR: e2eDataRoot, DATABASE_URL: '', TARGET_DATABASE_URL: '' };
const cli = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args], { env: CLI_ENV, encoding: 'utf8' });
const cliAsync = async (...args: string[]) => (await promisify(execFile)(process.execPath, [BIN, ...args], { env: CLI_ENV, encoding: 'utf8' })).stdout;

test('the author’s expand and backfill are theirs in the phase list, the backfill is queued at once, and the audit log has one expand', async ({ browser }) => {
  test.setTimeout(90_000);
  // A long, slow backfill queued from the console keeps the dashboard's one job worker busy, so
  // the author's backfill waits in the queue long enough to be seen there. Set up meanwhile.
  const blocker = (async () => {
    const busy = (await cliAsync('create', 'rename', 'public.leads.company', 'company_name')).match(/created migration (\d+)/)![1]!;
    await cliAsync('run', busy, 'expand');
    await cliAsync('run', busy, 'backfill', '--queue', '--batch-ms', '1', '--throttle-ms', '400');
    return busy;
  })();

  const author = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signInAs(author, 'author', '/migrations/new');
  const form = author.getByTestId('new-migration');
  await form.getByLabel('Table', { exact: true }).selectOption('public.users');
  await form.getByLabel('Column', { exact: true }).selectOption('display_name');
  await form.getByLabel('New name').fill('public_name');
  await form.getByRole('button', { name: 'Create migration' }).click();
  await expect(author.getByRole('heading', { level: 1 })).toHaveText('Rename public.users.display_name to public_name');
  const page = author.url().replace(/^https?:\/\/[^/]+/, '');
  const id = page.match(/\/migrations\/(\d+)/)![1]!;

  const reviewer = await browser.newPage();
  await signInAs(reviewer, 'reviewer', page);
  await reviewer.getByRole('button', { name: 'Approve plan' }).click();
  await expect(reviewer.getByTestId('next-step')).toContainText('waiting for expand by the author');
  await reviewer.close();

  await author.reload();
  await author.getByRole('button', { name: 'Run expand' }).click();
  const phases = author.getByTestId('phases');
  await expect(phases.locator('li').filter({ hasText: 'expand' })).toContainText(/succeeded.*author@demo\.local/);
  await expect(phases).not.toContainText('postgres');
  await expect(phases).not.toContainText('expand_contract_');

  // The console's backfill has started (the worker is busy with it) before the author asks for theirs.
  const busy = await blocker;
  await expect
    .poll(async () => (await author.request.get(`/migrations/${busy}`).then((r) => r.text())).includes('data-stage="running"'), { timeout: 30_000 })
    .toBe(true);
  await author.getByRole('button', { name: 'Run backfill' }).click();
  const backfill = author.getByTestId('backfill');
  await expect(backfill).toHaveAttribute('data-stage', 'queued');
  await expect(backfill).toContainText('queued');
  await expect(author.getByTestId('backfill-note')).toContainText(/queued by author@demo\.local at \d\d:\d\d UTC, waiting for the job worker/);
  await expect(author.getByRole('button', { name: 'Run backfill' })).toHaveCount(0);
  await author.setViewportSize({ width: 390, height: 844 });
  await author.screenshot({ path: 'test-results/screenshots/phase-actor-390.png', fullPage: true });
  expect(await author.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // The worker is free once the console's backfill stops; the page follows by itself to the outcome.
  cli('cancel', busy);
  await expect(backfill).toHaveAttribute('data-stage', 'done', { timeout: 30_000 });
  await expect(backfill).toContainText(/100\.0% · ([\d,]+) \/ \1 rows/);
  await expect(phases.locator('li').filter({ hasText: 'backfill' })).toContainText(/succeeded.*author@demo\.local/);
  await author.setViewportSize({ width: 1440, height: 900 });
  await author.screenshot({ path: 'test-results/screenshots/phase-actor-1440.png', fullPage: true });

  // One entry per phase run, in the author's name; none under the executor's role.
  await author.goto(`/audit?migration=${id}&action=phase`);
  const entries = author.getByTestId('audit-entry');
  await expect(entries.filter({ hasText: 'expand' })).toHaveCount(1);
  await expect(entries.filter({ hasText: 'expand' })).toContainText('author@demo.local ran expand: succeeded');
  await expect(entries.filter({ hasText: 'backfill' })).toHaveCount(1);
  await expect(author.getByTestId('audit-table')).not.toContainText('executor (');
});
