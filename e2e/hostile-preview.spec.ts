import { expect, test, type Browser } from '@playwright/test';
import { signInAs, type DemoRole } from './sign-in';
import { superuser } from './superuser';

/**
 * The attack on the New migration preview, replayed: a captured server-action POST of an
 * add-column preview, sent again by every role with hostile SQL in the default. Nobody may run
 * it: viewers, reviewers and on-call engineers are refused before anything is parsed, authors
 * and admins get the refusal of the expression check; the demo database shows nothing happened.
 */
async function capturePreview(browser: Browser) {
  const page = await browser.newPage();
  await signInAs(page, 'author', '/migrations/new');
  const form = page.getByTestId('new-migration');
  await form.getByLabel('Table', { exact: true }).selectOption('public.users');
  await form.getByLabel('Operation').selectOption('add-column');
  await form.getByLabel('New column').fill('plan_name');
  await form.getByLabel('Type').fill('text');
  await form.getByLabel('Default (constant)').fill("'MARKER'");
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']),
    form.getByRole('button', { name: 'Preview SQL' }).click(),
  ]);
  await expect(form.getByTestId('preview')).toContainText("DEFAULT 'MARKER'");
  const captured = { url: request.url(), headers: request.headers(), body: request.postDataBuffer()!.toString('utf8') };
  await page.close();
  return captured;
}

test('the preview action replayed with hostile SQL by every role runs nothing on the target', async ({ browser }) => {
  const db = await superuser();
  const victim = await superuser();
  try {
    await db.query('CREATE SEQUENCE IF NOT EXISTS victim_seq; SELECT setval($$victim_seq$$, 42)');
    const victimPid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const captured = await capturePreview(browser);
    expect(captured.body).toContain("'MARKER'");
    const hostile = `(setval('victim_seq', 999999999) + pg_terminate_backend(${victimPid})::int)::text`;
    const expected: Record<DemoRole, RegExp> = {
      viewer: /only authors and admins preview migrations/,
      reviewer: /only authors and admins preview migrations/,
      oncall: /only authors and admins preview migrations/,
      author: /calls setval\(\), which is volatile/,
      admin: /calls setval\(\), which is volatile/,
    };
    for (const role of Object.keys(expected) as DemoRole[]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signInAs(page, role);
      const started = Date.now();
      const response = await context.request.post(captured.url, {
        headers: {
          'next-action': captured.headers['next-action']!,
          'next-router-state-tree': captured.headers['next-router-state-tree'] ?? '',
          'content-type': captured.headers['content-type']!,
          accept: 'text/x-component',
        },
        data: Buffer.from(captured.body.replace("'MARKER'", hostile), 'utf8'),
      });
      const text = await response.text();
      expect(Date.now() - started, role).toBeLessThan(10_000);
      expect(text, role).toMatch(expected[role]);
      expect(text, role).not.toContain('ADD COLUMN');
      await context.close();
    }
    // Nothing happened: the sequence stayed, the other session is alive.
    expect((await db.query<{ v: string }>('SELECT last_value::text AS v FROM victim_seq')).rows[0]!.v).toBe('42');
    expect((await victim.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  } finally {
    await db.query('DROP SEQUENCE IF EXISTS victim_seq').catch(() => {});
    await db.end();
    await victim.end().catch(() => {});
  }
});

test('a viewer, reviewer or on-call engineer is not offered the preview; an admin previews but cannot create', async ({ browser }) => {
  for (const role of ['viewer', 'reviewer', 'oncall'] as const) {
    const page = await browser.newPage();
    await signInAs(page, role, '/migrations/new');
    await expect(page.getByTestId('new-migration')).toHaveCount(0);
    await expect(page.getByRole('alert').first()).toContainText('only authors and admins preview migrations');
    await page.close();
  }
  const page = await browser.newPage();
  await signInAs(page, 'admin', '/migrations/new');
  const form = page.getByTestId('new-migration');
  await form.getByLabel('Table', { exact: true }).selectOption('public.leads');
  await form.getByLabel('Column', { exact: true }).selectOption('user_email');
  await form.getByLabel('New name').fill('contact_email');
  await form.getByRole('button', { name: 'Preview SQL' }).click();
  await expect(form.getByTestId('preview')).toContainText('ADD COLUMN IF NOT EXISTS "contact_email"');
  await expect(form.getByRole('button', { name: 'Create migration' })).toHaveCount(0);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: 'test-results/screenshots/new-migration-admin-1440.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screenshots/new-migration-admin-390.png', fullPage: true });
  await page.close();
});

test('the replay is for authors and admins: a viewer is refused even when posting the action', async ({ browser }) => {
  const page = await browser.newPage();
  await signInAs(page, 'viewer', '/replay');
  await expect(page.getByRole('button', { name: /Replay the 2am incident/ })).toHaveCount(0);
  await expect(page.getByText('only authors and admins run the replay')).toBeVisible();
  await page.close();
});

test('anonymous callers learn only whether the dashboard is healthy; signed-in people get the details', async ({ browser, request }) => {
  const anonymous = await request.get('/api/health');
  expect(anonymous.status()).toBe(200);
  expect(await anonymous.json()).toEqual({ ok: true });
  const page = await browser.newPage();
  await signInAs(page, 'viewer');
  const details = await page.request.get('/api/health');
  const body = (await details.json()) as { state: { database: { ok: boolean } } };
  expect(body.state.database.ok).toBe(true);
  expect(JSON.stringify(body)).toMatch(/"serverVersion"/);
  expect(JSON.stringify(body)).toMatch(/127\.0\.0\.1:\d+\/dashboard/);
  await page.close();
});
