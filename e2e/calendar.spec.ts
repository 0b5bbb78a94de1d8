import { expect, test } from '@playwright/test';
import ical, { type VEvent } from 'node-ical';
import { signInAs } from './sign-in';

test('an admin creates a calendar token and gets the feed URL once, ready to copy, and the URL opens only the feed', async ({ page, request, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAs(page, 'admin', '/admin');
  await page.getByRole('combobox', { name: 'Scope' }).selectOption('calendar');
  // A calendar token is for every migration: nothing to name but a label.
  await expect(page.getByRole('textbox', { name: 'Service' })).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: /Migration id/ })).toHaveCount(0);
  await page.getByRole('textbox', { name: 'Label' }).fill('team calendar');
  await page.getByRole('button', { name: 'Create token' }).click();
  const url = (await page.getByTestId('new-feed-url').textContent())!.trim();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  expect(url).toBe(`http://127.0.0.1:${new URL(page.url()).port}/api/v1/calendar.ics?token=${token}`);
  await page.getByRole('button', { name: 'Copy the calendar feed URL' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await page.screenshot({ path: 'test-results/screenshots/admin-calendar-token-1440.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: 'test-results/screenshots/admin-calendar-token-390.png', fullPage: true });
  await page.getByTestId('token-form').screenshot({ path: 'test-results/screenshots/admin-calendar-token-form-390.png' });
  // The form is ready for the next token: its fields follow the scope it was reset to.
  await expect(page.getByRole('combobox', { name: 'Scope' })).toHaveValue('ingest');
  await expect(page.getByRole('textbox', { name: 'Service' })).toBeVisible();

  // What a calendar app does: fetch the URL as it is, no headers, no cookies.
  const feed = await request.get(url, { headers: { cookie: '' } });
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
  const text = await feed.text();
  expect(text).toContain('X-WR-CALNAME:Expand/Contract migrations');
  const summaries = Object.values(ical.sync.parseICS(text))
    .filter((c): c is VEvent => c?.type === 'VEVENT')
    .map((e) => String(e.summary));
  // The demo's scheduled column is open: its contract is planned. Its finished rename shows what ran, and no plan.
  expect(summaries).toContainEqual(expect.stringMatching(/^Contract: Add public\.users\.plan text NOT NULL \(#\d+\)$/));
  expect(summaries).toContainEqual(expect.stringMatching(/^Contract succeeded: Rename public\.users\.display_name to full_name \(#\d+\)$/));
  expect(summaries.filter((s) => s.startsWith('Contract: Rename public.users.display_name'))).toEqual([]);
  // The token reads; it does not write.
  const ingest = await request.post('/api/v1/metrics', { headers: { authorization: `Bearer ${token}` }, data: { batchId: 'calendar-e2e', points: [] } });
  expect(ingest.status()).toBe(401);

  // Shown once: a reload shows the token in the list, read-only, and neither the token nor its URL.
  await page.reload();
  expect(await page.content()).not.toContain(token);
  await expect(page.getByTestId('token-row').filter({ hasText: '(team calendar)' })).toContainText('calendar feed (read-only)');
});
