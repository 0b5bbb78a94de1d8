#!/usr/bin/env node
// How fast the command line starts, against baselines measured in this run on this machine:
// - `--help`, whose goal is 0.3 s, against a bare `node -e 0`;
// - `lint` of one file, whose goal is 5x squawk's time on the same file: the `squawk` command npm installs
//   (a Node script that starts the native binary), and the native binary alone, for reference;
// - the same two commands transpiled from TypeScript at start (tsx), as the command ran before it was built.
// Each figure is the median of RUNS runs, printed as one JSON line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildCli } from '../build-cli.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const require = createRequire(import.meta.url);
const squawk = require.resolve(`@squawk-cli/${process.platform}-${process.arch}/bin/squawk`);
const bin = path.join(root, 'bin', 'expand-contract.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ec-bench-cli-'));
const file = path.join(dir, '20261202000000_rename.sql');
// The 2am rename: a finding for both tools.
writeFileSync(file, 'ALTER TABLE public.leads RENAME COLUMN user_email TO email;\n');

// Without a target database, so lint judges the SQL alone, as squawk does.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|TARGET_DATABASE_URL)$/.test(k)));

function median(command, args, expectStatus) {
  const times = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = process.hrtime.bigint();
    const run = spawnSync(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!expectStatus.includes(run.status)) throw new Error(`${[command, ...args].join(' ')} exited ${run.status}: ${run.stderr}`);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
}

await buildCli();
const tsx = ['--import', 'tsx', path.join(root, 'cli', 'main.ts')];
const node = median(process.execPath, ['-e', '0'], [0]);
const help = median(process.execPath, [bin, '--help'], [0]);
const lint = median(process.execPath, [bin, 'lint', file], [1]);
const squawkMs = median(squawk, [file], [0, 1]);
const squawkCommandMs = median(path.join(root, 'node_modules', '.bin', 'squawk'), [file], [0, 1]);
const helpTsx = median(process.execPath, [...tsx, '--help'], [0]);
const lintTsx = median(process.execPath, [...tsx, 'lint', file], [1]);

const line = (figure) => process.stdout.write(`${JSON.stringify({ bench: 'cli', runs: RUNS, node: process.version, ...figure })}\n`);
line({ figure: 'help_seconds', seconds: help / 1000, goal: '<= 0.3', ok: help <= 300, nodeBaselineMs: node, ratioToBareNode: +(help / node).toFixed(2) });
line({ figure: 'lint_vs_squawk', ratio: +(lint / squawkCommandMs).toFixed(2), goal: '<= 5', ok: lint <= 5 * squawkCommandMs, lintMs: lint, squawkCommandMs });
line({ figure: 'lint_vs_squawk_native', ratio: +(lint / squawkMs).toFixed(2), lintMs: lint, squawkNativeMs: squawkMs, nodeBaselineMs: node });
line({
  figure: 'built_vs_transpiled',
  helpRatio: +(help / helpTsx).toFixed(2),
  lintRatio: +(lint / lintTsx).toFixed(2),
  helpTsxMs: helpTsx,
  lintTsxMs: lintTsx,
});
