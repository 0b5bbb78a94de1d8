import { expect, test } from '@playwright/test';
import { signInAs } from './sign-in';

test('an author picks a column from the live schema, previews the plan, fixes a bad field and creates it', async ({ page }) => {
  await signInAs(page, 'author', '/migrations/new');
  const form = page.getByTestId('new-migration');
  await form.getByLabel('Search tables and columns').fill('status');
  await form.getByLabel('Table', { exact: true }).selectOption('public.orders');
  await form.getByLabel('Operation').selectOption('rename-column');
  await form.getByLabel('Column', { exact: true }).selectOption('status');
  // A name Postgres would truncate is refused next to the field, before anything runs.
  await form.getByLabel('New name').fill('s'.repeat(64));
  await form.getByRole('button', { name: 'Preview SQL' }).click();
  await expect(form.locator('#newName-error')).toHaveText('at most 63 characters');
  await form.getByLabel('New name').fill('state');
  await form.getByRole('button', { name: 'Preview SQL' }).click();
  await expect(form.getByTestId('preview')).toContainText('ADD COLUMN IF NOT EXISTS "state" text');
  await expect(form.getByTestId('preview-lint')).toHaveText('lint: nothing in the expand SQL breaks the code that is running now');
  await form.getByRole('button', { name: 'Create migration' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rename public.orders.status to state');
  await expect(page.getByTestId('people')).toContainText('Author: author@demo.local');

  // Only the services that use orders are its error evidence; a named one that never reported (a typo) is pointed out.
  const services = page.getByTestId('services');
  await expect(services).toContainText('From every service reporting to the dashboard');
  await services.getByLabel(/Services that use this table/).fill('demo-web, chekout');
  await services.getByRole('button', { name: 'Save services' }).click();
  await expect(services.getByRole('status')).toHaveText('error evidence from demo-web, chekout (and the Postgres log)');
  await page.reload();
  await expect(page.getByTestId('services')).toContainText('From demo-web, chekout, the services named for this change');
  await expect(page.getByTestId('preflight')).toContainText('named for this migration but silent in the last day: chekout');
});

test('pasted SQL is linted by Squawk and our pass, and one click turns the breaking rename into its safe plan', async ({ page }) => {
  await signInAs(page, 'author', '/migrations/new');
  const lint = page.getByTestId('paste-lint');
  await lint.getByLabel('SQL to check').fill('ALTER TABLE users RENAME COLUMN email TO email_address;');
  await lint.getByRole('button', { name: 'Lint' }).click();
  await expect(lint.locator('[data-testid="finding"][data-source="expand-contract"]')).toContainText('line 1');
  await expect(lint.locator('[data-testid="finding"][data-source="squawk"]').first()).toBeVisible();
  // The safe plan is previewed first; creating it is a second click.
  await lint.getByRole('button', { name: 'Create the safe plan (rename-column)' }).click();
  await expect(lint.getByTestId('preview')).toContainText('Rename public.users.email to email_address');
  await lint.getByRole('button', { name: 'Create migration' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rename public.users.email to email_address');
  // Not valid SQL: said so, nothing else.
  await page.goto('/migrations/new');
  await page.getByTestId('paste-lint').getByLabel('SQL to check').fill('ALTER TABLE users RENAME COLUMN;');
  await page.getByTestId('paste-lint').getByRole('button', { name: 'Lint' }).click();
  await expect(page.getByTestId('paste-lint').getByRole('alert')).toContainText('not valid PostgreSQL');
});
