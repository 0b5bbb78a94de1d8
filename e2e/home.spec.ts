import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';
import { signInAs } from './sign-in';

test('home page shows both databases healthy and the demo schema, introspected', async ({ page }) => {
  await signInAs(page, 'viewer', '/');

  await expect(page.getByTestId('health-state').locator('[data-status]').first()).toHaveText('connected');
  await expect(page.getByTestId('health-target').locator('[data-status]').first()).toHaveText('connected');
  await expect(page.getByTestId('health-stat-statements').locator('[data-status]').first()).toHaveText('available');
  await expect(page.getByTestId('health-state')).toContainText(/PostgreSQL \d+/);
  await expect(page.getByTestId('health-state')).toContainText(/\d+ migration\(s\), latest \d{14}_\w+/);

  const leads = page.locator('[data-table="public.leads"]');
  // The demo traffic inserts leads from the start: about 100,000.
  await expect(leads).toContainText(/~100,\d{3} rows/);
  await expect(leads.locator('[data-column="user_email"]')).toContainText('text');
  await expect(leads.locator('[data-column="id"]')).toContainText('PK');
  await expect(page.locator('[data-table="public.orders"] [data-column="status"]')).toContainText('text');
  await expect(page.locator('[data-table="public.users"] [data-column="legacy_field"]')).toBeVisible();
  await expect(page.locator('[data-table="public.users"] [data-column="verified"]')).toContainText('yes');

  await page.screenshot({ path: 'test-results/screenshots/home.png', fullPage: true });
});

// The superuser's password and the two logins' the dashboard connects as.
function embeddedPasswords(): string[] {
  const secrets = JSON.parse(readFileSync(path.join(e2eDataRoot, 'secrets.json'), 'utf8')) as { password: string; logins: Record<string, string> };
  const passwords = [secrets.password, ...Object.values(secrets.logins)];
  expect(passwords).toHaveLength(3);
  for (const p of passwords) expect(p.length).toBeGreaterThanOrEqual(16);
  return passwords;
}

test('no connection secret reaches the browser', async ({ page, request }) => {
  const passwords = embeddedPasswords();

  const bodies: string[] = [];
  page.on('response', async (response) => {
    if (response.url().startsWith('http://127.0.0.1')) bodies.push(await response.text().catch(() => ''));
  });
  await signInAs(page, 'viewer', '/');
  await page.waitForLoadState('networkidle');
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  bodies.push(await health.text(), await page.content());

  expect(bodies.length).toBeGreaterThan(2);
  for (const body of bodies) {
    for (const password of passwords) expect(body).not.toContain(password);
    expect(body).not.toMatch(/postgres(ql)?:\/\/[^\s"']*@/);
  }
});

test('the client bundles carry no connection string, password or token', async () => {
  const passwords = embeddedPasswords();
  const dir = path.join(import.meta.dirname, '..', '.next', 'static');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    expect(text, f).not.toMatch(/postgres(ql)?:\/\/[^\s"'`]*@/);
    for (const password of passwords) expect(text, f).not.toContain(password);
    expect(text, f).not.toMatch(/\bec_[A-Za-z0-9_-]{43}\b/);
    expect(text, f).not.toMatch(/TARGET_DATABASE_URL|session_key/);
  }
});
