#!/usr/bin/env node
// Adds up every test-results/summary-*.json written in this run into one plain line.
// Usage: test-total.mjs [exit codes of the runs...]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '..', 'test-results');
let passed = 0;
let failed = 0;
const failures = [];
for (const file of readdirSync(dir).filter((f) => /^summary-.+\.json$/.test(f))) {
  const { label, steps } = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  for (const s of steps) {
    console.log(`${label}/${s.name}: ${s.passed} passed, ${s.failed} failed`);
    passed += s.passed;
    failed += s.failed;
    for (const f of s.failures ?? []) failures.push(`${label}/${s.name}: ${f}`);
  }
}
// Exit codes of the runs, from .ci/run: a run that crashed before writing its summary still counts.
const crashed = process.argv.slice(2).filter((code) => code !== '0').length;
if (crashed > 0 && failed === 0) {
  console.log(`${crashed} run(s) exited non-zero without recording a failure`);
  failed = crashed;
}
// Last, so that the tail of a long log names what failed.
for (const f of failures) console.log(`FAILED ${f}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
