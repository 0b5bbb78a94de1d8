import { expect, test, type Browser, type Page } from '@playwright/test';
import type pg from 'pg';
import { signInAs } from './sign-in';
import { superuser } from './superuser';

/**
 * What a newcomer met: a type change whose cast the data defeats, a type name with a typo, and an
 * expand that fails on the target: on data, on a lock someone holds, on a connection that dies
 * and on a privilege the target login lacks. Each is answered in place, in words (the step, its
 * SQL, Postgres's message and what to do), never by an error page.
 */

async function shots(page: Page, name: string) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    // The charts take their width after a resize: the page settles at the viewport's width (nothing in a failure widens it).
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
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

/** The author and the reviewer, signed in once for the tests that take a migration to its expand. */
let people: { author: Page; reviewer: Page } | null = null;
async function signedIn(browser: Browser): Promise<{ author: Page; reviewer: Page }> {
  if (!people) {
    const [author, reviewer] = await Promise.all([browser.newPage(), browser.newPage()]);
    await Promise.all([signInAs(author, 'author', '/migrations/new'), signInAs(reviewer, 'reviewer')]);
    people = { author, reviewer };
  }
  return people;
}
test.afterAll(async () => {
  await Promise.all([people?.author.close(), people?.reviewer.close()]);
  people = null;
});

/** The reviewer approves the plan at `url` (the migration's page), and the state database has it. */
async function approvePlan(browser: Browser, url: string) {
  const { reviewer } = await signedIn(browser);
  await reviewer.goto(url);
  await reviewer.getByRole('button', { name: 'Approve plan' }).click();
  const state = await superuser('dashboard');
  const approvals = () =>
    state.query("SELECT 1 FROM expand_contract.approvals WHERE kind = 'plan' AND migration_id = $1", [Number(url.split('/').at(-1))]).then((r) => r.rowCount);
  await expect.poll(approvals).toBe(1);
  await state.end();
}

/**
 * A table of its own (the demo traffic never touches it), its rename planned by the author and
 * approved: the author's page, at the migration, with Run expand offered.
 */
async function renameReadyToExpand(browser: Browser, db: pg.Client, table: string): Promise<Page> {
  await db.query(`DROP TABLE IF EXISTS public.${table};
    CREATE TABLE public.${table} (id bigint PRIMARY KEY, label text);
    INSERT INTO public.${table} SELECT g, 'crate ' || g FROM generate_series(1, 200) g;
    ALTER TABLE public.${table} OWNER TO expand_contract_target`);
  const { author } = await signedIn(browser);
  await author.goto('/migrations/new');
  const form = author.getByTestId('new-migration');
  await form.getByLabel('Table', { exact: true }).selectOption(`public.${table}`);
  await form.getByLabel('Column', { exact: true }).selectOption('label');
  await form.getByLabel('New name').fill('tag');
  await form.getByRole('button', { name: 'Create migration' }).click();
  await expect(author.getByRole('heading', { level: 1 })).toHaveText(`Rename public.${table}.label to tag`);
  await approvePlan(browser, author.url().replace(/^https?:\/\/[^/]+/, ''));
  await author.reload();
  await expect(author.getByRole('button', { name: 'Run expand' })).toBeEnabled();
  return author;
}

/** The expand's failure as the page shows it, below its button. */
const expandFailure = (page: Page) => page.getByRole('alert').filter({ hasText: 'expand failed at step' });

/** A session that holds ACCESS SHARE on the table, as a long report would: the expand's ALTER TABLE must wait for it. */
async function holdShareLock(table: string): Promise<{ client: pg.Client; pid: number }> {
  const client = await superuser();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await client.query('BEGIN');
  await client.query(`LOCK TABLE public.${table} IN ACCESS SHARE MODE`);
  return { client, pid };
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
    await approvePlan(browser, url);

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

test('an expand that cannot get its lock names the step, its SQL, the lock timeout and the session in the way', async ({ browser }) => {
  const db = await superuser();
  try {
    const author = await renameReadyToExpand(browser, db, 'crates_locked');
    const blocker = await holdShareLock('crates_locked');
    try {
      await author.getByRole('button', { name: 'Run expand' }).click();
      const failure = expandFailure(author);
      // The e2e server tries each lock 3 times (EC_LOCK_ATTEMPTS), waiting a second each.
      await expect(failure).toContainText(/expand failed at step rename-column\.public\.crates_locked\.label\.tag\/expand\//, { timeout: 15_000 });
      await expect(failure.locator('pre')).toContainText('ALTER TABLE "public"."crates_locked"');
      await expect(failure).toContainText('Postgres: canceling statement due to lock timeout [SQLSTATE 55P03]');
      await expect(failure).toContainText(
        `What to do: another session holds a lock on "public"."crates_locked" that this step's ACCESS EXCLUSIVE lock must wait for: pid ${blocker.pid} running "LOCK TABLE public.crates_locked IN ACCESS SHARE MODE"`,
      );
      await expect(failure).toContainText(`end it (SELECT pg_terminate_backend(${blocker.pid}))`);
      await expect(author.getByText('This page couldn’t load')).toHaveCount(0);
      await shots(author, 'failure-lock-timeout');
    } finally {
      await blocker.client.end();
    }
  } finally {
    await db.end();
  }
});

test('an expand whose target connection dies says nothing of the step was kept, and the page offers the expand again', async ({ browser }) => {
  const db = await superuser();
  try {
    const author = await renameReadyToExpand(browser, db, 'crates_cut');
    const blocker = await holdShareLock('crates_cut');
    try {
      await author.getByRole('button', { name: 'Run expand' }).click();
      // The executor's session, waiting for the lock: an administrator (or a failover) ends it.
      const waiting = () =>
        db
          .query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE usename = 'expand_contract_target' AND wait_event_type = 'Lock' AND query LIKE '%\"public\".\"crates_cut\" ADD COLUMN%'",
          )
          .then((r) => r.rows[0]?.pid ?? null);
      await expect.poll(waiting, { intervals: [50] }).not.toBeNull();
      await db.query('SELECT pg_terminate_backend($1)', [await waiting()]);
    } finally {
      await blocker.client.end();
    }
    const failure = expandFailure(author);
    await expect(failure).toContainText(/expand failed at step rename-column\.public\.crates_cut\.label\.tag\/expand\//);
    await expect(failure.locator('pre')).toContainText('ALTER TABLE "public"."crates_cut"');
    await expect(failure).toContainText('Postgres: terminating connection due to administrator command [SQLSTATE 57P01]');
    await expect(failure).toContainText(
      'What to do: the connection to the target was lost (57P01) while this step ran in its own transaction: nothing of this step was committed (the steps before it were); run the phase again once the target answers',
    );
    // The failed run is on the page at once (the action revalidates it), not "Nothing has run yet".
    await expect(author.getByTestId('phases')).toContainText(/expand\s*failed/);
    await shots(author, 'failure-lost-connection');

    // What the page says after a reload agrees: the expand failed, nothing was added, and it is offered again.
    await author.reload();
    await expect(author.getByTestId('phases')).toContainText(/expand\s*failed/);
    await expect(author.getByText('Nothing has run yet')).toHaveCount(0);
    await expect(author.getByRole('button', { name: 'Run expand' })).toBeEnabled();
    expect((await db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'crates_cut' AND column_name = 'tag'")).rowCount).toBe(0);
  } finally {
    await db.end();
  }
});

test('an expand the target login may not do names the privilege it lacks and the grant that fixes it', async ({ browser }) => {
  const db = await superuser();
  try {
    const author = await renameReadyToExpand(browser, db, 'crates_denied');
    // Someone tightened the grants after the plan was approved.
    await db.query('REVOKE ALL ON public.crates_denied FROM expand_contract_target');
    await author.getByRole('button', { name: 'Run expand' }).click();
    const failure = expandFailure(author);
    await expect(failure).toContainText(/expand failed at step rename-column\.public\.crates_denied\.label\.tag\//);
    await expect(failure.locator('pre')).toContainText('"public"."crates_denied"');
    await expect(failure).toContainText('Postgres: permission denied for table crates_denied [SQLSTATE 42501]');
    await expect(failure).toContainText(
      'What to do: the target login "expand_contract_target" may not do this step: it lacks SELECT, UPDATE, TRIGGER on "public"."crates_denied": GRANT SELECT, UPDATE, TRIGGER ON "public"."crates_denied" TO "expand_contract_target"; then run the phase again',
    );
    await expect(author.getByText('This page couldn’t load')).toHaveCount(0);
    await shots(author, 'failure-refused-role');
  } finally {
    await db.query('GRANT ALL ON public.crates_denied TO expand_contract_target');
    await db.end();
  }
});
