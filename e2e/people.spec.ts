import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';
import { demoAccount, signInAs } from './sign-in';

const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'expand-contract.mjs'), ...args], {
    env: { ...process.env, EC_DATA_DIR: e2eDataRoot, DATABASE_URL: '', TARGET_DATABASE_URL: '' },
    encoding: 'utf8',
  });

test('pages need a session: a wrong password is refused, the right one signs in, signing out ends it', async ({ page }) => {
  await page.goto('/migrations');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fmigrations/);
  await page.getByLabel('Email').fill('viewer@demo.local');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('form').getByRole('alert')).toHaveText('wrong email or password');
  await page.getByLabel('Password').fill(demoAccount('viewer').password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/migrations$/);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'ec_session')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  // The old cookie no longer opens anything, even when sent again by hand.
  await page.context().addCookies([{ ...cookie }]);
  await page.goto('/migrations');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('signing in with a next page that normalises to another site lands on the dashboard itself', async ({ browser, baseURL }) => {
  const { email, password } = demoAccount('viewer');
  for (const next of ['%2F.%2F%2Fevil.example%2F', '%2F%252e%2F%2Fevil.example%2F', '%2Fa%2F..%2F%2Fevil.example%2F']) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`/sign-in?next=${next}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signed-in-as')).toContainText(email);
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    await page.context().close();
  }
});

test('a viewer is offered no step and reads what the migration waits for; a reviewer approves, and the audit log and its CSV show it', async ({
  page,
  browser,
}) => {
  const created = cli('create', 'drop-column', 'public.users.legacy_field');
  const id = created.match(/created migration (\d+)/)![1]!;

  await signInAs(page, 'viewer', `/migrations/${id}`);
  const people = page.getByTestId('people');
  // The page offers only what this person may do now: a viewer gets no step, and the line says who the plan waits for.
  await expect(people.getByRole('button', { name: 'Approve plan' })).toHaveCount(0);
  await expect(people).toContainText('No step of this migration is yours to take now.');
  await expect(page.getByTestId('next-step')).toHaveText('waiting for expand, from the command line');
  await expect(people.getByRole('button', { name: 'Contract', exact: true })).toHaveCount(0);
  await expect(people.getByRole('button', { name: 'Comment', exact: true })).toBeDisabled();

  // A context of its own (not browser.newPage()), so that a second tab shares the session.
  const reviewer = await (await browser.newContext()).newPage();
  await signInAs(reviewer, 'reviewer', `/migrations/${id}`);
  // The same reviewer in a second tab, opened before the approval: its button is stale by then.
  const secondTab = await reviewer.context().newPage();
  await secondTab.goto(`/migrations/${id}`);
  await reviewer.getByTestId('people').getByRole('button', { name: 'Approve plan' }).click();
  // Approved: the approval is listed, and the plan (1 of 1) asks nobody for another.
  await expect(reviewer.getByTestId('people')).toContainText('plan approvals: 1 of 1 (reviewer@demo.local)');
  await expect(reviewer.getByTestId('next-step')).toHaveText('waiting for expand, from the command line');
  await reviewer.getByLabel('Comment').fill('=HYPERLINK("http://evil.example") looks good');
  await reviewer.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(reviewer.getByTestId('people')).toContainText('looks good');
  // Approving twice is not offered; from a stale tab it is refused with the reason.
  await expect(reviewer.getByTestId('people').getByRole('button', { name: 'Approve plan' })).toHaveCount(0);
  await secondTab.getByTestId('people').getByRole('button', { name: 'Approve plan' }).click();
  await expect(secondTab.getByTestId('people').getByRole('alert')).toHaveText('you have already approved this plan');
  await expect(reviewer.getByTestId('audit-trail').locator('[data-action="plan.approved"]')).toContainText('reviewer@demo.local approved the plan');

  await page.goto(`/audit?migration=${id}`);
  await expect(page.getByTestId('audit-table')).toContainText('reviewer@demo.local');
  const csv = await page.request.get(`/audit/export?migration=${id}`);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const text = await csv.text();
  expect(text.split('\r\n')[0]).toBe('id,at,actor,action,migration,detail');
  expect(text).toContain('reviewer@demo.local,plan.approved');
  expect(text).toContain('plan.commented');
  // Without a session the export answers nothing.
  const anonymous = await (await browser.newContext()).request.get(`/audit/export?migration=${id}`, { maxRedirects: 0 });
  expect([302, 307, 401]).toContain(anonymous.status());
});

test('a cross-origin POST to a server action is refused and signs nobody in; the same POST from the site itself works', async ({
  page,
  playwright,
  baseURL,
}) => {
  await page.goto('/sign-in');
  // Exactly what the sign-in form would send without JavaScript: its hidden action fields plus the credentials.
  const fields = await page.evaluate(() =>
    Object.fromEntries(Array.from(document.querySelectorAll('form input')).map((i) => [(i as HTMLInputElement).name, (i as HTMLInputElement).value])),
  );
  const { email, password } = demoAccount('admin');
  const post = async (origin: string) => {
    const context = await playwright.request.newContext({ baseURL });
    const response = await context.post('/sign-in', { headers: { Origin: origin }, multipart: { ...fields, email, password }, maxRedirects: 0 });
    const setCookie = response
      .headersArray()
      .filter((h) => h.name.toLowerCase() === 'set-cookie')
      .map((h) => h.value)
      .join('\n');
    await context.dispose();
    return { status: response.status(), signedIn: setCookie.includes('ec_session=') };
  };
  expect(await post('http://evil.example')).toMatchObject({ signedIn: false });
  expect(await post(baseURL!)).toMatchObject({ signedIn: true });
});

test('an admin creates a token that is shown once and works, revokes it, and nobody else reaches the admin page', async ({ page, browser, request }) => {
  await signInAs(page, 'admin', '/admin');
  await page.getByRole('textbox', { name: 'Service' }).fill('web');
  await page.getByRole('textbox', { name: 'Label' }).fill('e2e');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  expect(token).toMatch(/^ec_[A-Za-z0-9_-]{43}$/);
  const point = { service: 'web', version: 'v1', timestamp: new Date().toISOString(), requests: 10, errors: 0 };
  const send = () =>
    request.post('/api/v1/metrics', { headers: { authorization: `Bearer ${token}` }, data: { batchId: `e2e-${Date.now()}`, points: [point] } });
  expect((await send()).status()).toBe(200);

  // Shown once: not on the page after a reload.
  await page.reload();
  expect(await page.content()).not.toContain(token);
  const row = page.getByTestId('token-row').filter({ hasText: '(e2e)' });
  await expect(row).toContainText('ingest for web');
  // Revoking asks first: one click opens the question, the second revokes.
  await row.getByText('Revoke…').click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(row).toContainText('revoked');
  expect((await send()).status()).toBe(401);

  const author = await browser.newPage();
  await signInAs(author, 'author', '/admin');
  await expect(author.locator('main').getByRole('alert')).toHaveText('only admins manage people, tokens and the rotation.');
  // No control to manage people reaches a non-admin.
  await expect(author.getByRole('button', { name: 'Create person' })).toHaveCount(0);
  await expect(author.getByTestId('people')).toHaveCount(0);
  await expect(author.getByRole('button', { name: 'Save rotation' })).toHaveCount(0);
});

test('an admin creates a person with an odd long name, changes their role and disables them after a confirmation; the page fits a phone', async ({ page }) => {
  // 80 characters of quotes, emoji and one unbroken word: it must wrap, never widen the page.
  const name = `Zoë "Q'uote" O’Brien 🚀🚀 ${'Extraordinarilylongsurnamewithoutanyspacesatall'}`.padEnd(80, 'x');
  const email = `odd-${Date.now()}@team.example`;
  await signInAs(page, 'admin', '/admin');
  const create = page.getByTestId('create-person');
  await create.getByLabel('Email').fill(email);
  await create.getByLabel('Name').fill(name);
  await create.getByRole('button', { name: 'Create person' }).click();
  await expect(create.getByRole('status')).toContainText(`created ${email}`);
  await expect(create.getByTestId('new-password')).toHaveText(/^[A-Za-z0-9_-]{20}$/);

  const row = page.getByTestId('person-row').filter({ hasText: email });
  await expect(row).toContainText(name);
  await row.getByLabel('author').check();
  await row.getByRole('button', { name: 'Save roles' }).click();
  await expect(row.getByRole('status')).toHaveText('roles saved: viewer, author');
  // The admin's own row offers no way to disable themself.
  await expect(page.getByTestId('person-row').filter({ hasText: 'admin@demo.local' }).getByText('Disable…')).toHaveCount(0);

  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: `test-results/screenshots/admin-people-${width}.png`, fullPage: true });
  }

  // Disabling asks first: one click opens the question, the second disables.
  await row.getByText('Disable…').click();
  await expect(row).toContainText('is signed out everywhere');
  await row.getByRole('button', { name: 'Yes, disable' }).click();
  await expect(row.getByRole('button', { name: 'Enable' })).toBeVisible();
  await expect(row).toContainText('disabled');
});

test('an admin sets the rotation from its default start and adds an override; one that ends before it starts is refused in place', async ({ page }) => {
  await signInAs(page, 'admin', '/admin');
  // The rotation keeps the demo's on-call person on every shift, from the default start (next Monday 09:00 UTC).
  const rotation = page.getByTestId('rotation-form');
  await expect(rotation.getByLabel('First handover (UTC)')).toHaveValue(/T09:00$/);
  await rotation.getByLabel(/Rotation/).fill('oncall@demo.local');
  await rotation.getByRole('button', { name: 'Save rotation' }).click();
  await expect(rotation.getByRole('status')).toHaveText('rotation saved: oncall@demo.local');
  await expect(page.getByTestId('on-call-now')).toHaveText('oncall@demo.local');

  const override = page.getByTestId('override-form');
  await override.getByLabel('On call instead').fill('viewer@demo.local');
  await override.getByLabel('Reason').fill('holiday swap');
  await override.getByLabel('From (UTC)').fill('2030-01-02T09:00');
  await override.getByLabel('To (UTC)').fill('2030-01-01T09:00');
  await override.getByRole('button', { name: 'Add override' }).click();
  await expect(override.getByRole('alert')).toHaveText('an override ends after it starts: "to" must be later than "from"');
  // What was typed stays, so only the wrong field needs changing.
  await expect(override.getByLabel('On call instead')).toHaveValue('viewer@demo.local');
  await override.getByLabel('To (UTC)').fill('2030-01-03T09:00');
  await override.getByRole('button', { name: 'Add override' }).click();
  await expect(page.getByTestId('override-row').filter({ hasText: 'viewer@demo.local' })).toContainText('2030-01-02 09:00 UTC → 2030-01-03 09:00 UTC');
});
