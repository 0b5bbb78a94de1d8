import { expect, test, type Locator, type Page } from '@playwright/test';
import { DEFAULT_PLAN_OPTIONS, type OperationSpec } from '../lib/migrations/types';
import { planChange } from '../lib/planning/plan-change';
import { StateStore } from '../lib/state/state-store';
import { signInAs } from './sign-in';
import { superuser, superuserPool } from './superuser';

// The Monday-to-Friday timeline read as a person reads it: what ran where it ran, in its outcome's
// colour; nothing planned for what finished; every phase wide enough to see, named in full beside it
// when it is short, with its details a tap away; filters; and proposals that do not pile up.

/**
 * Registers a change as the command line does (planned on the live demo target, proposed a slot
 * in the transaction that inserts it), without starting a process per change.
 */
async function register(spec: OperationSpec): Promise<number> {
  const [target, state] = [await superuser('demo'), superuserPool('dashboard')];
  try {
    const plan = await planChange(target, spec, DEFAULT_PLAN_OPTIONS);
    return (await new StateStore(state).createMigration(plan, 'demo (e2e)')).id;
  } finally {
    await Promise.all([target.end(), state.end()]);
  }
}

const lanes = (page: Page) => page.getByTestId('timeline-lane');
const laneOf = (page: Page, title: RegExp) => lanes(page).filter({ has: page.getByRole('link', { name: title }) });
const bars = (lane: Locator) => lane.getByTestId('timeline-bar');

/** Last week, where the demo's seeded history ran: a rename contracted, a type change rolled back. */
async function lastWeek(page: Page) {
  await page.goto('/');
  const previous = page.getByRole('link', { name: '← previous' });
  const week = (await previous.getAttribute('href'))!.match(/week=([\d-]+)/)![1]!;
  await previous.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Week of ${week}`);
}

/** Every label is whole: inside a bar that holds it, or beside it without touching another bar of the lane. */
async function expectLabelsWhole(lane: Locator) {
  const boxes = await bars(lane).evaluateAll((els) =>
    els.map((el) => {
      const label = el.querySelector('[data-testid="bar-label"]');
      const r = el.getBoundingClientRect();
      const l = label?.getBoundingClientRect();
      return {
        where: el.getAttribute('data-label'),
        fits: el.scrollWidth <= el.clientWidth + 1,
        text: (label ?? el).textContent,
        bar: [r.left, r.right, r.top] as const,
        label: l ? ([l.left, l.right, l.top] as const) : null,
      };
    }),
  );
  // Every bar sits inside its own lane (a lane that collapsed would spill its bars over the next one).
  const lane_ = (await lane.boundingBox())!;
  const vertical = await bars(lane).evaluateAll((els) => els.map((el) => [el.getBoundingClientRect().top, el.getBoundingClientRect().bottom] as const));
  const laneTop = await lane.evaluate((el) => el.getBoundingClientRect().top);
  for (const [top, bottom] of vertical) {
    expect(top).toBeGreaterThanOrEqual(laneTop - 1);
    expect(bottom).toBeLessThanOrEqual(laneTop + lane_.height + 1);
  }
  for (const b of boxes) {
    expect(b.bar[1] - b.bar[0]).toBeGreaterThanOrEqual(11.5);
    if (b.where === 'inside') expect(b.fits).toBe(true);
    if (b.where === 'after' || b.where === 'before') {
      expect(b.text!.length).toBeGreaterThan(3);
      for (const other of boxes)
        if (other !== b && Math.abs(other.bar[2] - b.label![2]) < 2) expect(b.label![1] <= other.bar[0] + 1 || b.label![0] >= other.bar[1] - 1).toBe(true);
    }
  }
}

test('last week as it ran: a contract and a rollback drawn where they ran, readable and tappable, at 1440 and 390 px', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAs(page, 'reviewer', '/');
  await lastWeek(page);
  const rename = laneOf(page, /^Rename public\.users\.display_name/);
  const rolledBack = laneOf(page, /public\.orders\.amount_cents/);
  // Finished: only what ran, no plan, no buffer.
  await expect(bars(rename).first()).toBeVisible();
  expect(await bars(rename).evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).not.toContain('planned');
  await expect(rename.getByTestId('buffer')).toHaveCount(0);
  await expect(rolledBack.getByTestId('buffer')).toHaveCount(0);
  // The rollback has its own colour, not the green of a success.
  const rollback = rolledBack.locator('[data-phase="rollback"]');
  await expect(rollback).toHaveAttribute('data-tone', 'undone');
  const [rollbackColour, expandColour] = await Promise.all([
    rollback.evaluate((el) => getComputedStyle(el).backgroundColor),
    rolledBack.locator('[data-phase="expand"]').evaluate((el) => getComputedStyle(el).backgroundColor),
  ]);
  expect(rollbackColour).not.toBe(expandColour);
  await expectLabelsWhole(rename);
  await expectLabelsWhole(rolledBack);

  // A one-minute phase: tapped, it says what it was, when, who ran it and how it ended.
  await rollback.click();
  const details = page.getByTestId('bar-details').filter({ visible: true });
  await expect(details).toContainText('rollback');
  await expect(details).toContainText(/Started.*\d{2}:\d{2}/);
  await expect(details).toContainText(/Ended.*\d{2}:\d{2}/);
  await expect(details).toContainText('By');
  await expect(details).toContainText('the change was undone');
  await page.screenshot({ path: 'test-results/screenshots/timeline-last-week-1440.png', fullPage: true });
  await details.getByRole('link', { name: /Open migration #\d+/ }).click();
  await expect(page).toHaveURL(/\/migrations\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('amount_cents');

  await page.setViewportSize({ width: 390, height: 844 });
  await lastWeek(page);
  await expectLabelsWhole(laneOf(page, /^Rename public\.users\.display_name/));
  await laneOf(page, /public\.orders\.amount_cents/)
    .locator('[data-phase="rollback"]')
    .click();
  const phoneDetails = page.getByTestId('bar-details').filter({ visible: true });
  await expect(phoneDetails).toContainText('the change was undone');
  // The details fit on the phone's screen.
  const box = (await phoneDetails.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await page.screenshot({ path: 'test-results/screenshots/timeline-last-week-390.png', fullPage: true });
});

test('filters: mine, waiting on me and one table; each lane opens its migration; the rules are on the page', async ({ page }) => {
  await signInAs(page, 'author', '/');
  await lastWeek(page);
  const all = await lanes(page).count();
  expect(all).toBeGreaterThan(1);

  await page.getByRole('combobox', { name: 'Table' }).selectOption('public.orders');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/table=public\.orders/);
  await expect(lanes(page)).not.toHaveCount(0);
  for (const title of await lanes(page).getByRole('link').first().allTextContents()) expect(title).toContain('public.orders');
  await expect(page.getByTestId('filter-count')).toContainText(/\d+ of \d+ migrations/);
  // The week links keep the filter.
  await expect(page.getByRole('link', { name: 'next →' })).toHaveAttribute('href', /table=public\.orders/);

  await page.getByRole('combobox', { name: 'Table' }).selectOption('');
  await page.getByRole('combobox', { name: 'Show' }).selectOption('mine');
  await page.getByRole('button', { name: 'Show' }).click();
  // The demo's history is the author's own.
  await expect(lanes(page)).toHaveCount(all);

  // The viewer created nothing: their "mine" is empty, and says so.
  const viewer = await page.context().browser()!.newPage();
  await signInAs(viewer, 'viewer', '/?who=mine');
  await expect(lanes(viewer)).toHaveCount(0);
  await expect(viewer.getByTestId('timeline')).toContainText('Nothing this week matches the filter.');
  await viewer.close();

  // "Waiting on me" keeps only what the reviewer's waiting list names.
  const reviewer = await page.context().browser()!.newPage();
  await signInAs(reviewer, 'reviewer', '/?who=waiting&waiting=all');
  const waitingIds = await reviewer
    .locator('[data-testid="waiting-for-you"] a[href^="/migrations/"]')
    .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('href')!.split('/').pop()!))]);
  const laneIds = await lanes(reviewer).evaluateAll((els) => els.map((e) => e.getAttribute('data-migration')!));
  for (const id of laneIds) expect(waitingIds).toContain(id);
  await reviewer.close();

  // A lane is a link to its migration, not only its title.
  await page.goto('/');
  const lane = lanes(page).first();
  const id = await lane.getAttribute('data-migration');
  await lane.getByRole('link', { name: `Open migration #${id}` }).click({ position: { x: 2, y: 2 } });
  await expect(page).toHaveURL(new RegExp(`/migrations/${id}$`));

  await page.goto('/');
  await page.getByTestId('schedule-rules').locator('summary').click();
  await expect(page.getByTestId('schedule-rules')).toContainText('at most 2 per slot');
  await expect(page.getByTestId('schedule-rules')).toContainText('never on Fri, Sat, Sun');
});

test('eight new migrations are spread over the slots, and an author who insists on a clash is warned, naming the column', async ({ page }) => {
  const change = (kind: string, table: string, column: string, more: object): OperationSpec =>
    ({ kind, schema: 'public', table, column, ...more }) as OperationSpec;
  // Columns no other browser test changes (the phase-actor test expands public.leads.company, for one).
  const specs = [
    change('rename-column', 'leads', 'source', { newName: 'lead_source' }),
    change('add-column', 'leads', 'region', { type: 'text', notNull: false }),
    change('add-column', 'orders', 'note', { type: 'text', notNull: false }),
    change('add-column', 'orders', 'channel', { type: 'text', notNull: false }),
    change('change-type', 'leads', 'source', { newColumn: 'source_short', newType: 'varchar(40)', forward: '{{old}}::varchar(40)', reverse: '{{new}}::text' }),
    change('add-column', 'users', 'nickname', { type: 'text', notNull: false }),
    change('rename-column', 'users', 'legacy_field', { newName: 'old_field' }),
    change('add-column', 'orders', 'coupon', { type: 'text', notNull: false }),
  ];
  const ids: number[] = [];
  for (const spec of specs) ids.push(await register(spec));
  const db = await superuser('dashboard');
  try {
    const { rows } = await db.query(
      `SELECT id, spec->>'schema' || '.' || (spec->>'table') AS "table", (schedule->>'expandAt')::timestamptz AS expand, (schedule->>'contractAt')::timestamptz AS contract
         FROM expand_contract.migrations WHERE status IN ('planned', 'expanded', 'backfilled', 'contracting') AND schedule IS NOT NULL`,
    );
    const mine = rows.filter((r) => ids.includes(Number(r.id)));
    expect(mine).toHaveLength(8);
    // No slot holds more than two planned expands.
    const perSlot = new Map<number, number>();
    for (const r of mine) perSlot.set(r.expand.getTime(), (perSlot.get(r.expand.getTime()) ?? 0) + 1);
    expect(Math.max(...perSlot.values())).toBeLessThanOrEqual(2);
    expect(perSlot.size).toBeGreaterThanOrEqual(4);
    // No two of one table overlap.
    for (const a of mine)
      for (const b of mine)
        if (a.id !== b.id && a.table === b.table) expect(a.contract.getTime() < b.expand.getTime() || b.contract.getTime() < a.expand.getTime()).toBe(true);

    // The week of the first: its lanes carry no warning.
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInAs(page, 'author', `/?week=${mine[0].expand.toISOString().slice(0, 10)}`);
    for (const id of ids) {
      const lane = page.locator(`[data-testid="timeline-lane"][data-migration="${id}"]`);
      if (await lane.count()) await expect(lane.getByTestId('conflict')).toHaveCount(0);
    }
    await page.screenshot({ path: 'test-results/screenshots/timeline-eight-1440.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/screenshots/timeline-eight-390.png', fullPage: true });

    // Eight more plans to review: the reviewer's list shows the most urgent eight, and all of them a click away.
    const reviewer = await page.context().browser()!.newPage();
    await signInAs(reviewer, 'reviewer', '/');
    const waiting = reviewer.getByTestId('waiting-for-you');
    const total = Number((await waiting.getByRole('heading').textContent())!.match(/\((\d+)\)/)![1]);
    expect(total).toBeGreaterThanOrEqual(8 + 1);
    await expect(waiting.getByTestId('waiting-item')).toHaveCount(8);
    await waiting.getByTestId('waiting-all').click();
    await expect(reviewer).toHaveURL(/waiting=all/);
    await expect(waiting.getByTestId('waiting-item')).toHaveCount(total);
    for (const id of ids) await expect(waiting.locator(`[data-testid="waiting-item"][data-migration="${id}"]`)).toHaveCount(1);
    await waiting.getByRole('link', { name: 'Show the first 8' }).click();
    await expect(waiting.getByTestId('waiting-item')).toHaveCount(8);
    await reviewer.close();

    // The author insists: the type change of leads.source moved onto the rename of the same column.
    const [renameId, typeId] = [ids[0]!, ids[4]!];
    await db.query('UPDATE expand_contract.migrations SET schedule = (SELECT schedule FROM expand_contract.migrations WHERE id = $1) WHERE id = $2', [
      renameId,
      typeId,
    ]);
    const { rows: at } = await db.query("SELECT schedule->>'expandAt' AS expand FROM expand_contract.migrations WHERE id = $1", [renameId]);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`/?week=${at[0].expand.slice(0, 10)}`);
    await expect(page.locator(`[data-testid="timeline-lane"][data-migration="${typeId}"]`).getByTestId('conflict')).toContainText(
      `same column public.leads.source as #${renameId}`,
    );
    await expect(page.locator(`[data-testid="timeline-lane"][data-migration="${renameId}"]`).getByTestId('conflict')).toContainText(
      `same column public.leads.source as #${typeId}`,
    );
    await page.screenshot({ path: 'test-results/screenshots/timeline-clash-1440.png', fullPage: true });
    // Its page says so where the schedule is moved.
    await page.goto(`/migrations/${typeId}`);
    await expect(page.getByTestId('schedule-clash')).toContainText(`same column public.leads.source as #${renameId}`);
  } finally {
    // Other specs plan changes of these tables: the eight leave the week.
    await db.query("UPDATE expand_contract.migrations SET status = 'cancelled' WHERE id = ANY ($1::bigint[])", [ids]);
    await db.end();
  }
});

test('an admin changes the schedule rules; the timeline shows the new rules to everyone', async ({ page }) => {
  await signInAs(page, 'admin', '/admin');
  const form = page.getByTestId('schedule-rules-form');
  await form.getByLabel('Expands per slot, at most').fill('3');
  // Fridays open for contracts.
  await form.getByRole('group', { name: 'Days without contracts' }).getByLabel('Fri').uncheck();
  await form.getByRole('button', { name: 'Save schedule rules' }).click();
  await expect(form).toContainText('schedule rules saved');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screenshots/admin-schedule-rules-390.png', fullPage: true });
  try {
    const viewer = await page.context().browser()!.newPage();
    await signInAs(viewer, 'viewer', '/');
    await viewer.getByTestId('schedule-rules').locator('summary').click();
    await expect(viewer.getByTestId('schedule-rules')).toContainText('at most 3 per slot');
    await expect(viewer.getByTestId('schedule-rules')).toContainText('never on Sat, Sun.');
    await viewer.close();
    // Not an admin: the form is not theirs (the admin page refuses them).
    const author = await page.context().browser()!.newPage();
    await signInAs(author, 'author', '/admin');
    await expect(author.getByTestId('schedule-rules-form')).toHaveCount(0);
    await author.close();
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/admin');
    await form.getByLabel('Expands per slot, at most').fill('2');
    await form.getByRole('group', { name: 'Days without contracts' }).getByLabel('Fri').check();
    await form.getByRole('button', { name: 'Save schedule rules' }).click();
    await expect(form).toContainText('schedule rules saved');
  }
});
