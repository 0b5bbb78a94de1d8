import { expect, test } from '@playwright/test';
import { signInAs } from './sign-in';

test('pasted SQL stays put after a syntax error, and a column the target lacks is named, with no safe plan to create', async ({ page }) => {
  await signInAs(page, 'author', '/migrations/new');
  const lint = page.getByTestId('paste-lint');
  const sql = lint.getByLabel('SQL to check');
  const broken = 'ALTER TABLE users RENAME COLUMN display_name displayed;';
  await sql.fill(broken);
  await lint.getByRole('button', { name: 'Lint' }).click();
  await expect(lint.getByRole('alert')).toHaveText('not valid PostgreSQL: syntax error at or near "displayed" (line 1)');
  await expect(sql).toHaveValue(broken);

  const unknown = 'ALTER TABLE users RENAME COLUMN nope TO other;';
  await sql.fill(unknown);
  await lint.getByRole('button', { name: 'Lint' }).click();
  const finding = lint.locator('[data-testid="finding"][data-rule="unknown-column"]');
  await expect(finding).toContainText('column nope does not exist on public.users: the statement would fail');
  await expect(finding).toContainText('ALTER TABLE users RENAME COLUMN nope TO other');
  await expect(lint.getByTestId('lint-schema')).toHaveText("Tables and columns checked against the target's live schema (public).");
  // A statement that cannot run has no safe plan to offer.
  await expect(lint.getByRole('button', { name: /Create the safe plan/ })).toHaveCount(0);
  await expect(sql).toHaveValue(unknown);
});

test('the safe plan of a breaking rename is previewed first, and created only on a second click', async ({ page }) => {
  await signInAs(page, 'author', '/migrations/new');
  const lint = page.getByTestId('paste-lint');
  const rename = 'ALTER TABLE orders RENAME COLUMN amount_cents TO amount_minor;';
  await lint.getByLabel('SQL to check').fill(rename);
  await lint.getByRole('button', { name: 'Lint' }).click();
  await expect(lint.locator('[data-testid="finding"][data-rule="breaking-rename-column"]')).toContainText('renaming public.orders.amount_cents');
  await lint.getByRole('button', { name: 'Create the safe plan (rename-column)' }).click();
  const preview = lint.getByTestId('preview');
  await expect(preview).toContainText('Rename public.orders.amount_cents to amount_minor');
  await expect(preview).toContainText('ADD COLUMN IF NOT EXISTS "amount_minor" integer');
  // Previewing created nothing: the page is still New migration, and the SQL is still there.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New migration');
  await expect(lint.getByLabel('SQL to check')).toHaveValue(rename);

  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await lint.getByTestId('safe-plan').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/screenshots/lint-${width}.png`, fullPage: true });
    // Nothing pokes out sideways on a phone.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  }

  await lint.getByRole('button', { name: 'Create migration' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rename public.orders.amount_cents to amount_minor');
});
