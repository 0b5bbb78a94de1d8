// Time from `expand-contract dev` to the first signed-in 200 of the home page: on a brand-new data
// folder (initdb + state schema + 100k-row demo seed), then again after the first run was
// SIGKILLed (orphan recovery + reuse). Both in this run, on this machine; the ratio is the figure.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ephemeralPort } from '../../lib/db/free-port';

const root = path.resolve(import.meta.dirname, '..', '..');

const decode = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Signs in with a demo account through the sign-in form's own action (as a browser without JavaScript would) and returns the session cookie. */
async function signIn(base: string, dataRoot: string): Promise<string> {
  const html = await (await fetch(`${base}/sign-in`)).text();
  const form = new FormData();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)) form.append(decode(name!), decode(value ?? ''));
  const users = JSON.parse(await fs.readFile(path.join(dataRoot, 'demo-users.json'), 'utf8')) as { email: string; password: string }[];
  form.append('email', users[0]!.email);
  form.append('password', users[0]!.password);
  const res = await fetch(`${base}/sign-in`, { method: 'POST', body: form, headers: { Origin: base }, redirect: 'manual' });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ec_session='));
  if (!cookie) throw new Error(`sign-in failed with ${res.status}`);
  return cookie.split(';')[0]!;
}

/** From starting the command to the first signed-in 200 of the home page with the demo tables on it. */
async function timeToFirst200(dataRoot: string, port: number, pgPort: number) {
  const started = performance.now();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(root, 'bin/expand-contract.mjs'), 'dev', '--port', String(port)], {
    cwd: root,
    env: { ...process.env, EC_DATA_DIR: dataRoot, EC_PG_PORT: String(pgPort), NEXT_TELEMETRY_DISABLED: '1' },
    stdio: 'ignore',
  });
  let cookie = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`expand-contract dev exited with ${child.exitCode}`);
    if (!cookie) cookie = await signIn(base, dataRoot).catch(() => '');
    const res = cookie ? await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' }).catch(() => null) : null;
    if (res?.status === 200) {
      const html = await res.text();
      if (!html.includes('public.<!-- -->leads') && !html.includes('data-table="public.leads"')) throw new Error('home page has no demo tables');
      break;
    }
    if (performance.now() - started > 120_000) throw new Error('no 200 within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ms: Math.round(performance.now() - started), child };
}

async function benchStartup() {
  const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ec-bench-startup-'));
  await fs.chmod(dataRoot, 0o755);
  const [port, pgPort] = [await ephemeralPort(), await ephemeralPort()];
  try {
    const cold = await timeToFirst200(dataRoot, port, pgPort);
    cold.child.kill('SIGKILL'); // the hard way: leaves Postgres orphaned for the warm start to recover
    await new Promise((r) => cold.child.once('exit', r));
    const warm = await timeToFirst200(dataRoot, port, pgPort);
    warm.child.kill('SIGINT');
    await new Promise((r) => warm.child.once('exit', r));
    return [
      { figure: 'startup.first_200_cold_ms', value: cold.ms },
      { figure: 'startup.first_200_after_sigkill_ms', value: warm.ms },
      { figure: 'startup.after_sigkill_vs_cold_ratio', value: Number((warm.ms / cold.ms).toFixed(3)), baseline: 'cold start, same run' },
    ];
  } finally {
    await fs.rm(dataRoot, { recursive: true, force: true });
  }
}

for (const figure of await benchStartup()) console.log(JSON.stringify({ bench: 'startup', ...figure }));
