import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUARDED } from './guarded-action';

const app = path.resolve(import.meta.dirname, '../../app');

/** Every server-action file ('use server') and route handler under app/. */
function entryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return entryFiles(file);
    if (!/\.tsx?$/.test(e.name)) return [];
    const text = readFileSync(file, 'utf8');
    return e.name === 'route.ts' || /^\s*['"]use server['"]/.test(text) ? [file] : [];
  });
}

const files = entryFiles(app);
/** The first import loads the server code behind every action (seconds on a busy two-core machine). */
const IMPORT_MS = 30_000;

describe('every server action and route handler asks who is calling first', () => {
  it('finds the entry points (a moved folder must not make this test vacuous)', () => {
    const names = files.map((f) => path.relative(app, f)).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'migrations/new/actions/new-migration-action.ts',
        'migrations/new/actions/lint-action.ts',
        'migrations/[id]/actions/approve-plan-action.ts',
        'migrations/[id]/actions/run-phase-action.ts',
        'admin/actions/create-token-action.ts',
        'sign-in/actions/sign-in-action.ts',
        'api/health/route.ts',
        'api/v1/metrics/route.ts',
        'replay/actions/replay-action.ts',
      ]),
    );
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.filter((f) => path.basename(f) !== 'route.ts').map((f) => [path.relative(app, f), f]))(
    '%s holds one server action, named after the file',
    async (_name, file) => {
      const mod = (await import(file)) as Record<string, unknown>;
      const camel = path.basename(file, '.ts').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      expect(Object.keys(mod)).toEqual([camel]);
    },
    IMPORT_MS,
  );

  it.each(files.map((f) => [path.relative(app, f), f]))(
    '%s exports only guarded functions',
    async (_name, file) => {
      const mod = (await import(file)) as Record<string, unknown>;
      const functions = Object.entries(mod).filter(([, v]) => typeof v === 'function');
      expect(functions.length).toBeGreaterThan(0);
      const unguarded = functions.filter(([, fn]) => !(fn as { [GUARDED]?: string })[GUARDED]).map(([name]) => name);
      expect(unguarded).toEqual([]);
    },
    IMPORT_MS,
  );
});
