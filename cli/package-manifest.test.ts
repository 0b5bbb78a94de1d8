import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  private?: boolean;
  engines: { node: string };
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('the package as installed', () => {
  it('needs Node 22.12 or newer, pins 24 for nvm, and the suite itself runs on a node it supports', () => {
    expect(pkg.engines.node).toBe('>=22.12');
    expect(readFileSync(path.join(root, '.nvmrc'), 'utf8').trim()).toBe('24');
    // .ci/run switches to Node 24 on an older machine: a run on an older node fails here.
    const [a, b] = process.versions.node.split('.').map(Number) as [number, number];
    expect(a > 22 || (a === 22 && b >= 12), process.version).toBe(true);
  });

  it("uses Node's own WebSocket: no ws package", () => {
    expect(pkg.dependencies).not.toHaveProperty('ws');
    expect(typeof globalThis.WebSocket).toBe('function');
  });

  it('keeps the 135 MB Supabase CLI, which only the tests run, out of what a user installs', () => {
    expect(pkg.dependencies).not.toHaveProperty('supabase');
    expect(pkg.devDependencies).toHaveProperty('supabase');
  });

  it('has a scoped name that nobody else can publish over, and the same command name', () => {
    expect(pkg.name).toMatch(/^@[a-z0-9-]+\/[a-z0-9-]+$/);
    expect(pkg.private).toBe(true);
    expect(pkg.bin).toEqual({ 'expand-contract': 'bin/expand-contract.mjs' });
    expect(existsSync(path.join(root, pkg.bin['expand-contract']!))).toBe(true);
  });

  it('builds the command line at install and has a benchmark for its start', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build-cli.mjs');
    expect(pkg.scripts['bench:cli']).toBe('node scripts/bench/cli.mjs');
  });
});
