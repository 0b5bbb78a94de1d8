import { expect, test } from '@playwright/test';
import { signInAs } from './sign-in';

test('the 2am replay shows the naive rename failing and expand-contract failing nothing, side by side', async ({ page }) => {
  await signInAs(page, 'author', '/replay');
  await page.getByRole('button', { name: 'Replay the 2am incident' }).click();
  const naive = page.getByTestId('replay-naive');
  await expect(naive.getByTestId('summary')).toContainText(/[1-9]\d* error\(s\) in \d+ requests \(42703 undefined_column ×\d+\)/, { timeout: 45_000 });
  await expect(page.getByTestId('replay-ec').getByTestId('summary')).toContainText(/^0 error\(s\) in \d+ requests, 0 mismatched row\(s\)$/);
  await expect(naive.locator('.recharts-line')).toHaveCount(2);
  await page.screenshot({ path: 'test-results/screenshots/replay.png', fullPage: true });
});
