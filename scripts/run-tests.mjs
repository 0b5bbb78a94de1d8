#!/usr/bin/env node
// `npm test`: every runner in turn (typecheck, lint, unit, integration, e2e), each printing
// its own counts, then one summary. Runs them all even when one fails, so a single run
// shows everything that is broken. Counts go to test-results/summary-<label>.json, which
// scripts/test-total.mjs adds up at the end of .ci/run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { only: { type: 'string', multiple: true }, label: { type: 'string', default: 'main' } },
});
const root = path.resolve(import.meta.dirname, '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', CI: process.env.CI ?? '1', FORCE_COLOR: '0' };

function run(command, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

async function vitest(project) {
  const out = path.join(results, `vitest-${project}-${values.label}.json`);
  rmSync(out, { force: true });
  const code = await run(bin('vitest'), ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  const report = readJson(out);
  if (!report) return { passed: 0, failed: 1, note: `vitest exited ${code} without a report` };
  // A suite that fails to load has no tests but is still a failure.
  const failedSuites = report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
  // Named, so that the last lines of a long run say which test failed, not only how many.
  const failures = report.testResults.flatMap((r) => {
    const file = path.relative(root, r.name);
    if (r.status === 'failed' && r.assertionResults.length === 0) return [`${file}: ${(r.message ?? 'failed to load').split('\n')[0]}`];
    return r.assertionResults
      .filter((a) => a.status === 'failed')
      .map((a) => `${file} › ${a.fullName}: ${(a.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300)}`);
  });
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + failedSuites + (code !== 0 && report.numFailedTests + failedSuites === 0 ? 1 : 0),
    failures,
  };
}

async function e2e() {
  const build = await run(bin('next'), ['build']);
  if (build !== 0) return { passed: 0, failed: 1, note: 'next build failed' };
  const out = path.join(results, 'e2e.json');
  rmSync(out, { force: true });
  const code = await run(bin('playwright'), ['test']);
  const report = readJson(out);
  if (!report) return { passed: 0, failed: 1, note: `playwright exited ${code} without a report` };
  const { expected, unexpected, flaky } = report.stats;
  const errors = report.errors?.length ?? 0;
  const failures = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      if (!spec.ok)
        failures.push(`${suite.file ?? ''} › ${spec.title}: ${(spec.tests?.[0]?.results?.at(-1)?.error?.message ?? '').split('\n')[0].slice(0, 300)}`);
    for (const child of suite.suites ?? []) walk({ ...child, file: child.file ?? suite.file });
  };
  for (const suite of report.suites ?? []) walk(suite);
  for (const error of report.errors ?? []) failures.push((error.message ?? '').split('\n')[0].slice(0, 300));
  return { failures, passed: expected, failed: unexpected + flaky + errors + (code !== 0 && unexpected + flaky + errors === 0 ? 1 : 0) };
}

const check = (command, args) => async () => ((await run(command, args)) === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });

const steps = [
  ['typecheck', check(bin('tsc'), ['--noEmit'])],
  ['lint', check(bin('eslint'), ['.', '--max-warnings=0'])],
  ['format', check(bin('prettier'), ['--check', '.', '--log-level', 'warn'])],
  ['unit', () => vitest('unit')],
  ['integration', () => vitest('integration')],
  ['e2e', e2e],
].filter(([name]) => !values.only || values.only.includes(name));

const summary = [];
for (const [name, fn] of steps) {
  process.stdout.write(`\n=== ${name} (${values.label}) ===\n`);
  const started = Date.now();
  const result = await fn();
  const seconds = (Date.now() - started) / 1000;
  summary.push({ name, ...result, seconds });
  process.stdout.write(`--- ${name}: ${result.passed} passed, ${result.failed} failed (${seconds.toFixed(1)} s)${result.note ? `: ${result.note}` : ''}\n`);
}

writeFileSync(path.join(results, `summary-${values.label}.json`), JSON.stringify({ label: values.label, steps: summary }, null, 2));
const passed = summary.reduce((n, s) => n + s.passed, 0);
const failed = summary.reduce((n, s) => n + s.failed, 0);
process.stdout.write(`\n${values.label} summary\n`);
for (const s of summary)
  process.stdout.write(`  ${s.name.padEnd(12)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(4)} failed  ${s.seconds.toFixed(1)} s\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
