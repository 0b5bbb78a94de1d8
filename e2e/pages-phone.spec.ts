import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { e2eDataRoot } from '../playwright.config';
import { signInAs } from './sign-in';

/**
 * The pages around the migrations, as the seeded demo history shows them: 1 contracted,
 * 2 rolled back, 3 backfilled with its deploy marked (the contract is the person on call's),
 * 4 planned. Read on a phone as well as on a desk.
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const PHONE = { width: 390, height: 844 };
const DESK = { width: 1440, height: 900 };

async function demoTarget(): Promise<pg.Client> {
  const { password } = JSON.parse(readFileSync(path.join(e2eDataRoot, 'secrets.json'), 'utf8')) as { password: string };
  const c = new pg.Client({ host: '127.0.0.1', port: port + 20000, user: 'postgres', password, database: 'demo' });
  await c.connect();
  return c;
}

const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

/** The page as it is now, on a phone (where nothing may be wider than the screen) and on a desk, photographed for review. */
async function phoneAndDesk(page: Page, name: string) {
  await page.setViewportSize(PHONE);
  // Charts follow a resize a moment later: the page must settle within the phone's width.
  await expect.poll(() => scrollWidth(page), { message: `${name} at 390 px` }).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `test-results/screenshots/${name}-390.png`, fullPage: true });
  await page.setViewportSize(DESK);
  await page.screenshot({ path: `test-results/screenshots/${name}-1440.png`, fullPage: true });
}

test('each migration state reads as its own word and colour', async ({ page }) => {
  await signInAs(page, 'viewer', '/migrations');
  const badge = (id: number) => page.locator(`[data-testid="migration-row"][data-migration="${id}"] [data-state]`);
  const expected = [
    [1, 'contracted', 'contracted'],
    [2, 'rolled_back', 'rolled back'],
    [3, 'backfilled', 'backfilled'],
    [4, 'planned', 'planned'],
  ] as const;
  for (const [id, state, word] of expected) {
    await expect(badge(id)).toHaveAttribute('data-state', state);
    await expect(badge(id)).toHaveText(word);
  }
  const tones = await Promise.all(expected.map(([id]) => badge(id).getAttribute('data-status')));
  expect(new Set(tones).size).toBe(4);
  expect(tones[1]).toBe('error');
  await phoneAndDesk(page, 'migrations-viewer');
});

test('the archive a contract leaves on the target is not listed as the team’s schema', async ({ page }) => {
  const target = await demoTarget();
  try {
    // The table a contract of leads.user_email creates (objectNames().archiveTable), as it creates it.
    await target.query(`CREATE TABLE IF NOT EXISTS public."ec_archive_leads_user_email" (
      "id" bigint NOT NULL, "user_email" text, archived_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`);
    await signInAs(page, 'viewer', '/');
    await expect(page.locator('[data-table="public.leads"]')).toBeVisible();
    await expect(page.getByTestId('schema-table').first()).toBeVisible();
    await expect(page.locator('[data-table^="public.ec_archive_"]')).toHaveCount(0);
    await phoneAndDesk(page, 'home-viewer');
  } finally {
    // The walk's own contract creates it again, with its rows.
    await target.query('DROP TABLE IF EXISTS public."ec_archive_leads_user_email"');
    await target.end();
  }
});

test('the person on call finds the contract waiting for them at the top of the home page; a viewer finds nothing', async ({ page, browser }) => {
  await signInAs(page, 'oncall', '/');
  const waiting = page.getByTestId('waiting-for-you');
  await expect(waiting).toBeVisible();
  const contract = waiting.locator('[data-testid="waiting-item"][data-migration="3"]');
  // The seeded parity check is a day old: the contract is theirs, and the page says what still stands in the way.
  await expect(contract).toHaveAttribute('data-kind', 'contract.evidence');
  await expect(contract).toContainText('A contract waits for you');
  await expect(contract).toContainText('the gate is closed: the last parity check is too old: run verify again');
  // The plan nobody approved yet waits for them too, as a reviewer.
  await expect(waiting.locator('[data-testid="waiting-item"][data-migration="4"]')).toHaveAttribute('data-kind', 'plan.approve');
  await expect(contract.getByRole('link')).toHaveAttribute('href', '/migrations/3');
  // It comes before everything else on the page.
  const [waitingTop, timelineTop] = await Promise.all([waiting.boundingBox(), page.getByTestId('timeline').boundingBox()]);
  expect(waitingTop!.y).toBeLessThan(timelineTop!.y);
  await phoneAndDesk(page, 'home-oncall');

  const viewer = await browser.newPage();
  await signInAs(viewer, 'viewer', '/');
  await expect(viewer.getByTestId('timeline')).toBeVisible();
  await expect(viewer.getByTestId('waiting-for-you')).toHaveCount(0);
  await viewer.close();
});

test('the audit log says what happened, links the migration, keeps the detail one click away and folds sign-ins', async ({ page }) => {
  await signInAs(page, 'viewer', '/audit');
  const approval = page.locator('[data-testid="audit-entry"][data-action="contract.approved"]').filter({ has: page.locator('a[href="/migrations/1"]') });
  await expect(approval).toContainText('oncall@demo.local approved the contract');
  await expect(approval.getByRole('link')).toHaveAttribute('href', '/migrations/1');
  const detail = approval.locator('details');
  await expect(detail.locator('pre')).toBeHidden();
  await detail.locator('summary').click();
  await expect(detail.locator('pre')).toContainText('"seeded": true');

  // Sign-ins (this one included) are folded, counted, and shown on request.
  await expect(page.locator('[data-testid="audit-entry"][data-action^="session."]')).toHaveCount(0);
  await expect(page.getByTestId('folded-sessions')).toContainText(/[1-9]\d* sign-ins? and sign-outs? folded away/);
  await phoneAndDesk(page, 'audit-viewer');
  await page.getByTestId('folded-sessions').getByRole('link', { name: 'Show them' }).click();
  await expect(page.locator('[data-testid="audit-entry"][data-action="session.sign-in"]').filter({ hasText: 'viewer@demo.local' }).first()).toContainText(
    'signed in',
  );

  // Filtered by migration, by its title in the picker; the export keeps its CSV.
  await page.getByLabel('Migration').selectOption({ label: '#3 Make public.users.verified NOT NULL' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/migration=3/);
  const entries = page.getByTestId('audit-entry');
  await expect(entries.first()).toBeVisible();
  for (const link of await entries.getByRole('link').all()) await expect(link).toHaveAttribute('href', '/migrations/3');
  const csv = await page.request.get('/audit/export?migration=3');
  expect((await csv.text()).split('\r\n')[0]).toBe('id,at,actor,action,migration,detail');
});

test('revoking a token asks first, and a long quoted service name stays inside the token list on a phone', async ({ page, request }) => {
  await signInAs(page, 'admin', '/admin');
  const service = `"web's" ${'a'.repeat(72)}`;
  expect(service).toHaveLength(80);
  await page.getByRole('textbox', { name: 'Service' }).fill(service);
  await page.getByRole('textbox', { name: 'Label' }).fill('phone');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  const send = () =>
    request.post('/api/v1/metrics', {
      headers: { authorization: `Bearer ${token}` },
      data: { batchId: `phone-${Date.now()}`, points: [{ service, version: 'v1', timestamp: new Date().toISOString(), requests: 1, errors: 0 }] },
    });
  await page.reload();
  await phoneAndDesk(page, 'admin-admin');
  await page.setViewportSize(PHONE);
  const row = page.getByTestId('token-row').filter({ hasText: '(phone)' });
  await expect(row).toContainText(`ingest for "web's"`);
  await expect.poll(() => scrollWidth(page)).toBeLessThanOrEqual(390);

  // One click only opens the question: the token still works.
  await row.getByText('Revoke…').click();
  await expect(row.getByTestId('revoke-token')).toContainText('This cannot be undone');
  expect((await send()).status()).toBe(200);
  await expect(row).not.toContainText('revoked');
  await expect.poll(() => scrollWidth(page), { message: 'the open question at 390 px' }).toBeLessThanOrEqual(390);
  await page.screenshot({ path: 'test-results/screenshots/admin-revoke-390.png', fullPage: true });
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(row).toContainText('revoked');
  expect((await send()).status()).toBe(401);
});
