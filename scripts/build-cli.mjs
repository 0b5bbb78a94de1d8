#!/usr/bin/env node
// Builds the command line to JavaScript once (dist/cli), so that a command starts without
// transpiling TypeScript. Packages stay external, loaded from node_modules as they are, except
// zod: every command parses with it, and bundled it is one file to read instead of some 230.
// Each command's modules become their own chunks, so `lint` never loads the executor or Next.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT_DIR = path.join(root, 'dist', 'cli');
/** The source files the last build read, with the build's time: what `bin/` compares to see a stale build. */
export const CLI_INPUTS_FILE = path.join(CLI_OUT_DIR, 'inputs.json');

/**
 * Builds the CLI. Every file is written to a temporary name and renamed into place, so a command
 * started while another process rebuilds reads either the old file or the new one, never half of one.
 * `clean` empties the directory first (an explicit build); a rebuild on demand only adds, because a
 * running command may still import an older chunk.
 */
export async function buildCli({ clean = false } = {}) {
  const { build } = await import('esbuild');
  const started = Date.now();
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const external = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
    .filter((name) => name !== 'zod')
    .flatMap((name) => [name, `${name}/*`]);
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'cli/main.ts' },
    outdir: CLI_OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external,
    keepNames: true,
    metafile: true,
    write: false,
    logLevel: 'warning',
    chunkNames: 'chunk-[hash]',
  });
  if (clean) rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  mkdirSync(CLI_OUT_DIR, { recursive: true });
  const put = (file, contents) => {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, contents);
    renameSync(temporary, file);
  };
  // Chunks first: main.mjs, which imports them, appears last.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith('main.mjs')) - Number(b.path.endsWith('main.mjs')));
  for (const file of files) put(file.path, file.contents);
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  put(CLI_INPUTS_FILE, JSON.stringify({ builtAt: started, inputs }));
  return { inputs: inputs.length, ms: Date.now() - started };
}

/** Whether a source file changed (or went) since the last build; a build without its sources (a package) is never stale. */
export function cliBuildIsStale(inputs) {
  if (!inputs) return true;
  try {
    statSync(path.join(root, 'cli', 'main.ts'));
  } catch {
    return false;
  }
  try {
    return inputs.inputs.some((file) => statSync(path.join(root, file)).mtimeMs > inputs.builtAt);
  } catch {
    return true;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { inputs, ms } = await buildCli({ clean: true });
  process.stdout.write(`built the CLI from ${inputs} source files into dist/cli in ${ms} ms (${readdirSync(CLI_OUT_DIR).length} files)\n`);
}
