import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { e2eDataRoot } from '../playwright.config';

export type DemoRole = 'author' | 'reviewer' | 'oncall' | 'viewer' | 'admin';

/** The demo accounts the dashboard under test created on its first start. */
export function demoAccount(role: DemoRole): { email: string; password: string } {
  const users = JSON.parse(readFileSync(path.join(e2eDataRoot, 'demo-users.json'), 'utf8')) as { email: string; password: string }[];
  return users.find((u) => u.email === `${role}@demo.local`)!;
}

/** Signs in through the form, as a person would, and lands where `to` points. */
export async function signInAs(page: Page, role: DemoRole, to = '/') {
  const { email, password } = demoAccount(role);
  await page.goto(to);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(email);
}
