import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';
import { signInAs } from './sign-in';
import { superuser } from './superuser';

/**
 * An admin adds a webhook in the browser; its key is shown once and never again, nor its URL's
 * path. An expand run from the console is then delivered by the dashboard's worker to a receiver
 * on this machine, signed with that key, and the delivery log says so.
 */
const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'expand-contract.mjs'), ...args], {
    env: { ...process.env, EC_DATA_DIR: e2eDataRoot, DATABASE_URL: '', TARGET_DATABASE_URL: '' },
    encoding: 'utf8',
  });

const verify = (secret: string, header: string, body: string) => {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return !!parts.v1 && parts.v1.length === expected.length && timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected));
};

async function shoot(page: Page, name: string) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.getByTestId('webhooks').screenshot({ path: `test-results/screenshots/${name}-${width}.png` });
  }
}

test('an admin adds a webhook, sees its key once, and a phase run from the console reaches the receiver signed with it', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/T0K3N-in-the-path`;

  await signInAs(page, 'admin', '/admin');
  const section = page.getByTestId('webhooks');
  await section.getByLabel('URL').fill(url);
  await section.getByRole('button', { name: 'Add webhook' }).click();
  const key = (await section.getByTestId('new-webhook-secret').textContent())!.trim();
  expect(key.length).toBeGreaterThanOrEqual(32);
  await expect(section.getByRole('status')).toContainText('shown only once');
  await shoot(page, 'webhooks-added');

  // Once saved, neither the key nor the URL's path is anywhere in the page.
  await page.reload();
  const html = await page.content();
  expect(html).not.toContain(key);
  expect(html).not.toContain('T0K3N-in-the-path');
  await expect(section.getByTestId('webhook-list')).toContainText(`127.0.0.1:${(receiver.address() as AddressInfo).port}/…`);

  // A phase ends: the worker delivers it, signed.
  const target = await superuser('demo');
  await target.query('SET ROLE expand_contract_target; CREATE TABLE public.hook_trial (id bigint PRIMARY KEY, note text); RESET ROLE');
  await target.end();
  const id = cli('create', 'rename', 'public.hook_trial.note', 'remark').match(/created migration (\d+)/)![1]!;
  cli('run', id, 'expand');
  await expect.poll(() => got.filter((g) => JSON.parse(g.body).migration?.id === Number(id)).length, { timeout: 20_000 }).toBe(1);
  const sent = got.find((g) => JSON.parse(g.body).migration?.id === Number(id))!;
  expect(verify(key, String(sent.headers['x-expand-contract-signature']), sent.body)).toBe(true);
  expect(JSON.parse(sent.body)).toMatchObject({
    event: 'phase.succeeded',
    migration: { state: 'expanded' },
    link: expect.stringMatching(new RegExp(`/migrations/${id}$`)),
  });

  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId('webhook-deliveries').locator('[data-status="delivered"]').count();
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
  await expect(page.getByTestId('webhook-deliveries').locator('li').first()).toContainText(
    /delivered.*expand, backfill or contract done.*1 attempt · last answer 200/,
  );
  await shoot(page, 'webhooks-delivered');

  // A viewer gets no admin page at all.
  const viewer = await browser.newPage();
  await signInAs(viewer, 'viewer', '/admin');
  await expect(viewer.getByText(/^only admins/)).toBeVisible();
  await expect(viewer.getByTestId('webhooks')).toHaveCount(0);
  await viewer.close();

  // Removed: nothing more is sent to it.
  await page.getByTestId('webhook-list').getByRole('button', { name: 'Remove' }).first().click();
  await expect(page.getByTestId('webhook-list')).toContainText('No webhooks yet.');
  await new Promise<void>((r) => receiver.close(() => r()));
});
