import { expect, test } from '@playwright/test';
import { signInAs } from './sign-in';

test('the health panel lists the servers sampled for legacy reads: the target alone until replicas are named', async ({ page }) => {
  await signInAs(page, 'viewer', '/');
  const servers = page.getByTestId('health-servers');
  await expect(servers.getByTestId('health-server')).toHaveCount(1);
  await expect(servers.getByTestId('health-server').first()).toHaveAttribute('data-status', 'ok');
  await expect(servers.getByTestId('health-server-lag')).toHaveText('primary');
  await expect(servers).toContainText('1 of 1 sampled');
  await expect(servers).toContainText('No read replicas named');
  // The embedded target counts top-level statements only: said where it matters, with the fix.
  await expect(servers).toContainText('pg_stat_statements.track = top: statements inside functions are not counted here (set it to all)');
});

test('an admin names a read replica: a bad entry is refused and kept, a pasted URL keeps no password, and a replica that cannot be reached shows failing in red', async ({
  page,
}) => {
  await signInAs(page, 'admin', '/admin');
  const form = page.getByTestId('read-replicas-form');
  const hosts = form.getByLabel('Read replicas, host:port, one per line');
  await expect(hosts).toHaveValue('');
  await hosts.fill('db replica:5432');
  await form.getByRole('button', { name: 'Save read replicas' }).click();
  await expect(form.getByRole('alert')).toContainText('"db replica:5432" is not a read replica: write host:port');
  await expect(hosts).toHaveValue('db replica:5432');
  try {
    // Port 1 on this machine: nothing listens, so every sample of it fails at once.
    await hosts.fill('postgresql://app:pasted-secret@127.0.0.1:1/app');
    await form.getByRole('button', { name: 'Save read replicas' }).click();
    await expect(form.getByRole('status')).toContainText('1 read replica(s) saved: 127.0.0.1:1.');
    await expect(form.getByRole('status')).toContainText('The user and password in the URL were not kept');
    await page.reload();
    await expect(hosts).toHaveValue('127.0.0.1:1');
    expect(await page.content()).not.toContain('pasted-secret');
    await form.scrollIntoViewIfNeeded();
    await form.screenshot({ path: 'test-results/screenshots/admin-read-replicas-1440.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await form.scrollIntoViewIfNeeded();
    await form.screenshot({ path: 'test-results/screenshots/admin-read-replicas-390.png' });
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.goto('/');
    const servers = page.getByTestId('health-servers');
    const replica = servers.locator('[data-testid="health-server"][data-server^="127.0.0.1:1/"]');
    // The sampler reads the setting at every sample (every 5 s under the demo policy).
    await expect(async () => {
      await page.reload();
      await expect(replica).toHaveAttribute('data-status', 'failing', { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(replica).toContainText('last sample failed');
    await expect(replica).toContainText('ECONNREFUSED');
    await expect(replica.getByTestId('health-server-lag')).toHaveText('lag unknown');
    await expect(servers).toContainText('1 of 2 not sampled');
    await expect(servers.locator('[data-testid="health-server"][data-status="ok"]')).toHaveCount(1);
    expect(await page.content()).not.toContain('pasted-secret');
    await servers.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/screenshots/health-replica-failing-1440.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await servers.scrollIntoViewIfNeeded();
    await servers.screenshot({ path: 'test-results/screenshots/health-replica-failing-390.png' });

    // Not an admin: the setting is not theirs.
    const author = await page.context().browser()!.newPage();
    await signInAs(author, 'author', '/admin');
    await expect(author.getByTestId('read-replicas-form')).toHaveCount(0);
    await author.close();
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/admin');
    await hosts.fill('');
    await form.getByRole('button', { name: 'Save read replicas' }).click();
    await expect(form.getByRole('status')).toContainText('no read replicas: only the target is sampled.');
  }
});
