import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { type GoTrueStandIn, startGoTrueStandIn } from '../tests/helpers/gotrue-standin';

// The production build in Supabase Auth mode, in a real browser: a dashboard of its own (its
// own embedded databases and port) pointed at a GoTrue stand-in (tests/helpers/gotrue-standin.ts).

const port = Number(process.env.E2E_PORT ?? 3100) + 2;
const base = `http://127.0.0.1:${port}`;
const dataRoot = path.join(os.tmpdir(), `expand-contract-e2e-supabase-${port}`);
const PASSWORD = 'supabase e2e password';
let gotrue: GoTrueStandIn;
let server: ChildProcess;
let output = '';

test.describe.configure({ mode: 'serial' });
test.use({ baseURL: base });

test.beforeAll(async () => {
  test.setTimeout(150_000);
  gotrue = await startGoTrueStandIn();
  for (const role of ['viewer', 'oncall']) gotrue.addUser(`${role}@team.example`, PASSWORD);
  gotrue.addUser('stranger@elsewhere.example', PASSWORD);
  // Someone who signed up to the project with the demo admin's address: must get nothing.
  gotrue.addUser('admin@demo.local', PASSWORD);
  rmSync(dataRoot, { recursive: true, force: true });
  server = spawn(process.execPath, ['bin/expand-contract.mjs', 'start', '--port', String(port)], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d: Buffer) => (output += d));
  server.stderr!.on('data', (d: Buffer) => (output += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the dashboard exited (${server.exitCode}):\n${output}`);
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the dashboard did not start in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // The operator adds people, as the README says; the command finds the running dashboard's database.
  for (const [email, roles] of [
    ['viewer@team.example', 'viewer'],
    ['oncall@team.example', 'oncall,reviewer'],
  ]) {
    const made = await cli(['user', 'create', email!, '--role', roles!]);
    expect(made.out).toContain('signs in through Supabase Auth');
  }
});

function env() {
  return {
    ...process.env,
    EC_DATA_DIR: dataRoot,
    EC_PG_PORT: String(port + 20000),
    NEXT_PUBLIC_SUPABASE_URL: gotrue.url,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: gotrue.anonKey,
    EC_DEMO_TRAFFIC: '0',
    EC_WORKER: 'off',
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['bin/expand-contract.mjs', ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`expand-contract ${args.join(' ')} exited ${code}:\n${out}`);
  return { code, out };
}

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await gotrue?.close();
});

const authCookies = async (context: BrowserContext) => (await context.cookies()).filter((c) => c.name.startsWith('sb-'));
const refreshes = () => gotrue.calls.get('POST /token?grant_type=refresh_token') ?? 0;

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.getByTestId('sign-in-provider')).toContainText('Supabase');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('the launcher says sign-in goes through Supabase and prints no demo accounts', () => {
  expect(output).toContain(`sign-in: Supabase Auth at ${gotrue.url}`);
  expect(output).not.toContain('warning:'); // the stand-in's project confirms emails and answers
  expect(output).not.toContain('demo.local');
  expect(output).not.toContain('demo-users.json');
});

test('signs in through Supabase Auth into httpOnly cookies, with the roles of the linked account', async ({ page, context }) => {
  await signIn(page, 'oncall@team.example');
  await expect(page.getByTestId('signed-in-as')).toHaveText('oncall@team.example (oncall, reviewer)');
  const cookies = await authCookies(context);
  expect(cookies.length).toBeGreaterThan(0);
  for (const c of cookies) expect(c).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  expect((await context.cookies()).some((c) => c.name === 'ec_session')).toBe(false);
  // Scripts in the page cannot read the session.
  expect(await page.evaluate(() => document.cookie)).not.toContain('sb-');
});

test('the proxy refreshes an access token about to expire, and the page renders with the new one', async ({ page, context }) => {
  // A token that enters auth-js's 90 s refresh margin a few seconds after sign-in.
  gotrue.shortenNextToken(100);
  await signIn(page, 'viewer@team.example');
  await expect(page.getByTestId('signed-in-as')).toContainText('viewer@team.example');
  const session = async () => {
    const [c] = await authCookies(context);
    return JSON.parse(Buffer.from(c!.value.replace(/^base64-/, ''), 'base64url').toString()) as { refresh_token: string; expires_at: number };
  };
  const issued = await session();
  const before = refreshes();
  const dueInMs = (issued.expires_at - 90) * 1000 - Date.now();
  expect(dueInMs).toBeGreaterThan(0); // not refreshed yet: the sign-in took less than 10 s
  await page.waitForTimeout(dueInMs + 500);

  await page.goto('/audit');
  await expect(page.getByTestId('signed-in-as')).toContainText('viewer@team.example');
  // Exactly one refresh, in the proxy, and it succeeded; the browser holds the new session; the
  // page used the proxy's new cookies instead of refreshing with the spent token (refused).
  expect(refreshes()).toBe(before + 1);
  expect(gotrue.failures.get('POST /token?grant_type=refresh_token') ?? 0).toBe(0);
  const renewed = await session();
  expect(renewed.refresh_token).not.toBe(issued.refresh_token);
  expect(renewed.expires_at - Date.now() / 1000).toBeGreaterThan(3000);

  await page.goto('/');
  await expect(page.getByTestId('signed-in-as')).toContainText('viewer@team.example');
  expect(refreshes()).toBe(before + 1);
});

test('signing out ends the Supabase session and clears its cookies', async ({ page, context }) => {
  await signIn(page, 'viewer@team.example');
  await expect(page.getByTestId('signed-in-as')).toContainText('viewer@team.example');
  const copied = await authCookies(context);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect(await authCookies(context)).toEqual([]);
  // The cookies as they were before signing out no longer open a page.
  await context.addCookies(copied);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});

test("a Supabase user without an account here is refused with what to do, the demo admin's address too", async ({ page, context }) => {
  for (const email of ['stranger@elsewhere.example', 'admin@demo.local']) {
    await signIn(page, email);
    await expect(page.locator('form').getByRole('alert')).toContainText('no access to Expand/Contract yet');
    expect(await authCookies(context)).toEqual([]);
  }
  await signIn(page, 'viewer@team.example', 'not the password');
  await expect(page.locator('form').getByRole('alert')).toHaveText('wrong email or password');
});
