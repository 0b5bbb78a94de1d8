#!/usr/bin/env node
// The `expand-contract` command: runs the CLI built to JavaScript in dist/cli (scripts/build-cli.mjs,
// run by `npm install`), so that a command starts without transpiling TypeScript. In a checkout, a
// build older than any of its source files is rebuilt first (about 0.3 s), so an edit never runs stale.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { buildCli, cliBuildIsStale } from '../scripts/build-cli.mjs';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
// Keeps V8's compiled code of the CLI and its packages on disk between runs (in the OS's temporary folder).
module.enableCompileCache?.();
let inputs = null;
try {
  inputs = JSON.parse(readFileSync(new URL('../dist/cli/inputs.json', import.meta.url), 'utf8'));
} catch {
  // Not built yet: built below.
}
if (cliBuildIsStale(inputs)) {
  try {
    await buildCli();
  } catch (error) {
    // A source file that does not compile: one line that names it, not a stack trace.
    const first = error?.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column} ` : '';
    process.stderr.write(`error: the command could not be built from its sources: ${where}${first?.text ?? error?.message ?? error}\n`);
    process.exit(1);
  }
}
await import('../dist/cli/main.mjs');
