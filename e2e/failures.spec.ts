import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { e2eDataRoot } from '../playwright.config';
import { signInAs } from './sign-in';

/**
 * What a newcomer met: a type change whose cast the data defeats, a type name with a typo, and an
 * expand that fails on the target. Each is answered in place, in words, never by an error page.
 */
const port = Number(process.env.E2E_PORT ?? 3100);

async function superuser(database = 'demo'): Promise<pg.Client> {
  const { password } = JSON.parse(readFileSync(path.join(e2eDataRoot, 'secrets.json'), 'utf8')) as { password: string };
  const c = new pg.Client({ host: '127.0.0.1', port: port + 20000, user: 'postgres', password, database });
  await c.connect();
  return c;
}

async function shots(page: Page, name: string) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: `test-results/screenshots/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

/** The form's own hint: a plain cast of the old text to integer. */
const PLAIN_CAST = { type: 'integer', forward: '{{old}}::integer', reverse: '{{new}}::text' };

async function changeType(page: Page, table: string, column: string, fields: { newColumn: string; type: string; forward: string; reverse: string }) {
  const form = page.getByTestId('new-migration');
  await form.getByLabel('Table', { exact: true }).selectOption(table);
  await form.getByLabel('Operation').selectOption('change-type');
  await form.getByLabel('Column', { exact: true }).selectOption(column);
  await form.getByLabel('New column (old code keeps the old one)').fill(fields.newColumn);
  await form.getByLabel('New type').fill(fields.type);
  await form.getByLabel('Old → new ({{old}})').fill(fields.forward);
  await form.getByLabel('New → old ({{new}})').fill(fields.reverse);
  return form;
}

test('the preview counts the rows a cast cannot convert and refuses a type that does not exist, with no way to create either', async ({ page }) => {
  await signInAs(page, 'author', '/migrations/new');
  const form = await changeType(page, 'public.orders', 'status', { newColumn: 'status_code', ...PLAIN_CAST });
  await form.getByRole('button', { name: 'Preview SQL' }).click();
  const alert = form.getByRole('alert');
  await expect(alert).toContainText(
    /[\d,]+ rows of public\.orders\.status cannot be converted to integer by the forward mapping \('completed', '\w+', '\w+', …\): invalid input syntax for type integer/,
  );
  await expect(alert).toContainText("CASE {{old}} WHEN 'completed' THEN");
  // Nothing green, nothing to create: the same fields would be refused again.
  await expect(form.getByTestId('preview')).toHaveCount(0);
  await expect(form.getByRole('button', { name: 'Create migration' })).toBeDisabled();
  await shots(page, 'preview-unconvertible');

  // A mapping for every status: the preview answers with the plan, and Create is offered again.
  await form
    .getByLabel('Old → new ({{old}})')
    .fill("CASE {{old}} WHEN 'pending' THEN 1 WHEN 'processing' THEN 2 WHEN 'completed' THEN 3 WHEN 'cancelled' THEN 4 ELSE 0 END");
  await expect(form.getByRole('button', { name: 'Create migration' })).toBeEnabled();

  await form.getByLabel('New type').fill('strnig');
  await form.getByLabel('Old → new ({{old}})').fill('{{old}}::strnig');
  await form.getByRole('button', { name: 'Preview SQL' }).click();
  await expect(alert).toContainText('type "strnig" does not exist');
  await expect(form.getByRole('button', { name: 'Create migration' })).toBeDisabled();
});

test('an expand that fails on the target shows the step, its SQL, Postgres and what to do, on the page', async ({ browser }) => {
  const db = await superuser();
  try {
    await db.query(`DROP TABLE IF EXISTS public.parcels;
      CREATE TABLE public.parcels (id bigint PRIMARY KEY, weight text NOT NULL);
      INSERT INTO public.parcels SELECT g, (g % 50)::text FROM generate_series(1, 300) g;
      ALTER TABLE public.parcels OWNER TO expand_contract_target`);
    const author = await browser.newPage();
    await signInAs(author, 'author', '/migrations/new');
    const form = await changeType(author, 'public.parcels', 'weight', { newColumn: 'weight_g', ...PLAIN_CAST });
    await form.getByRole('button', { name: 'Create migration' }).click();
    const heading = author.getByRole('heading', { level: 1 });
    await expect(heading).toHaveText('Change public.parcels.weight to integer as weight_g');
    const url = author.url().replace(/^https?:\/\/[^/]+/, '');

    // Between the review and the expand, old code writes values the cast cannot take.
    await db.query("INSERT INTO public.parcels SELECT g, 'heavy' FROM generate_series(301, 307) g; INSERT INTO public.parcels VALUES (308, '1.5 kg')");
    const reviewer = await browser.newPage();
    await signInAs(reviewer, 'reviewer', url);
    await reviewer.getByRole('button', { name: 'Approve plan' }).click();
    const state = await superuser('dashboard');
    const approvals = () =>
      state.query("SELECT 1 FROM expand_contract.approvals WHERE kind = 'plan' AND migration_id = $1", [Number(url.split('/').at(-1))]).then((r) => r.rowCount);
    await expect.poll(approvals).toBe(1);
    await state.end();
    await reviewer.close();

    await author.reload();
    await author.getByRole('button', { name: 'Run expand' }).click();
    const failure = author.getByRole('alert').filter({ hasText: 'expand failed at step' });
    await expect(failure).toContainText(/expand failed at step change-type\.public\.parcels\.weight\.weight_g\/preflight\/01-unconvertible_values/);
    await expect(failure.locator('pre')).toContainText('FROM "public"."parcels" AS t WHERE');
    await expect(failure).toContainText('Postgres: invalid input syntax for type integer: "heavy" [SQLSTATE 22P02]');
    await expect(failure).toContainText("What to do: 8 rows of public.parcels.weight cannot be cast to integer ('heavy', '1.5 kg'): give a forward mapping");
    // The page is still the migration's page, not an error page.
    await expect(heading).toHaveText('Change public.parcels.weight to integer as weight_g');
    await expect(author.getByText('This page couldn’t load')).toHaveCount(0);
    await shots(author, 'phase-failure');
    expect((await db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'parcels' AND column_name = 'weight_g'")).rowCount).toBe(0);
  } finally {
    await db.end();
  }
});
