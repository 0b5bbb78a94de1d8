import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';
import { signInAs } from './sign-in';

const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'expand-contract.mjs'), ...args], {
    env: { ...process.env, EC_DATA_DIR: e2eDataRoot, DATABASE_URL: '', TARGET_DATABASE_URL: '' },
    encoding: 'utf8',
  });

/** Ids as a person, a script or an attacker might type them: none is a migration id. */
const ODD = ['0', '-1', '0x5', '1e3', '5.0', ' 5', ' ', '99999999999999999999', '2147483648', 'abc', 'x'.repeat(3000), '9'.repeat(3000), '\u0000', '5\u0000'];
/** The same migration written the ways Number() would also read as it: each must not open that migration. */
const aliases = (id: number) => [`0x${id.toString(16)}`, `${id}.0`, `${id}e0`, ` ${id}`, `+${id}`, `0${id}`, `${id} `, `${id}\u0000`];

/** A migration of the demo history that is already contracted: a stray deploy mark cannot change it. */
async function contractedMigration(page: Page): Promise<{ id: number; title: string }> {
  await page.goto('/migrations');
  const row = page.getByTestId('migration-row').filter({ hasText: 'contracted' }).first();
  const id = Number(await row.locator('td').first().textContent());
  const title = (await row.getByRole('link').textContent())!.replace(/seeded$/, '').trim();
  expect(id).toBeGreaterThan(0);
  return { id, title };
}

test('every route that takes a migration id answers 404 or 400 to an odd one, never 500 and never another migration', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, 'viewer', '/migrations');
  const real = await contractedMigration(page);
  // A deploy token for every migration, so only the id decides the answer.
  const token = cli('token', 'create', 'deploy', '--label', 'odd ids').trim().split('\n').at(-1)!;
  expect(token).toMatch(/^ec_/);

  const answers: string[] = [];
  // Soft: one run lists every route and id that answers wrongly.
  for (const raw of [...ODD, ...aliases(real.id)]) {
    const inPath = encodeURIComponent(raw);
    const shown = JSON.stringify(raw.length > 20 ? `${raw.slice(0, 8)}…(${raw.length})` : raw);

    const pageRes = await page.request.get(`/migrations/${inPath}`);
    const pageBody = await pageRes.text();
    answers.push(`page ${shown} ${pageRes.status()}`);
    expect.soft([400, 404], `/migrations/${shown}`).toContain(pageRes.status());
    expect.soft(pageBody.includes(real.title), `/migrations/${shown} shows migration ${real.id}`).toBe(false);

    const file = await page.request.get(`/migrations/${inPath}/files/expand`);
    answers.push(`file ${shown} ${file.status()}`);
    expect.soft([400, 404], `/migrations/${shown}/files/expand`).toContain(file.status());
    expect.soft((await file.text()).includes('ALTER TABLE'), `/migrations/${shown}/files/expand is a migration file`).toBe(false);

    const deployed = await page.request.post(`/api/v1/migrations/${inPath}/deployed`, { headers: { authorization: `Bearer ${token}` } });
    answers.push(`deployed ${shown} ${deployed.status()}`);
    expect.soft([400, 404], `/api/v1/migrations/${shown}/deployed`).toContain(deployed.status());

    const csv = await page.request.get(`/audit/export?migration=${inPath}`);
    answers.push(`export ${shown} ${csv.status()}`);
    expect.soft(csv.status(), `/audit/export?migration=${shown}`).toBe(400);
    expect.soft(await csv.text(), `/audit/export?migration=${shown}`).toBe('invalid filter: migration\n');

    // The page keeps its form and says the filter was not understood, instead of showing another migration's entries.
    const audit = await page.request.get(`/audit?migration=${inPath}`);
    answers.push(`audit ${shown} ${audit.status()}`);
    expect.soft(audit.status(), `/audit?migration=${shown}`).toBe(200);
    expect.soft(await audit.text(), `/audit?migration=${shown}`).toContain('Some filters were not understood and were ignored.');
  }
  // The other filters of the export: text Postgres cannot hold, dates outside its range.
  for (const [filter, value] of [
    ['actor', '\u0000'],
    ['action', 'plan\u0000'],
    ['from', '-010000-01-01'],
    ['to', '-005000-01-01'],
  ] as const) {
    const res = await page.request.get(`/audit/export?${filter}=${encodeURIComponent(value)}`);
    expect.soft(res.status(), `/audit/export?${filter}=${JSON.stringify(value)}`).toBe(400);
    expect.soft(await res.text()).toBe(`invalid filter: ${filter}\n`);
    answers.push(`export ${filter} ${res.status()}`);
  }
  // The real id still opens its page, its files and its audit entries.
  expect((await page.request.get(`/migrations/${real.id}`)).status()).toBe(200);
  expect((await page.request.get(`/migrations/${real.id}/files/expand`)).status()).toBe(200);
  expect((await page.request.get(`/audit/export?migration=${real.id}`)).status()).toBe(200);
  expect(answers.filter((a) => / 5\d\d$/.test(a))).toEqual([]);
});

test('a form posted with an odd migration id is refused and changes nothing', async ({ page }) => {
  await signInAs(page, 'reviewer', '/migrations');
  const planned = page.getByTestId('migration-row').filter({ hasText: 'planned' }).first();
  const id = Number(await planned.locator('td').first().textContent());
  await planned.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/migrations/${id}$`));
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Comment', exact: true }) });
  const note = `odd id ${Date.now()}`;
  // The browser sends what a tampered page would: the same migration, written as Number() also reads it.
  await form.locator('input[name="migrationId"]').evaluate((input, value) => ((input as HTMLInputElement).value = value), `0x${id.toString(16)}`);
  await form.getByLabel('Comment').fill(note);
  await form.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText('invalid request');
  await page.reload();
  await expect(page.getByTestId('people')).not.toContainText(note);
});
