import boundaries from 'eslint-plugin-boundaries';

/**
 * The layer map (README "Layout"), enforced: each layer names the layers it may import. Anything
 * not listed is refused, so a new import across layers is a decision made here, not by accident.
 * Type-only imports are allowed wider where noted: a type carries no code and no I/O.
 */
const PURE = ['migrations', 'lifecycle', 'gate', 'timeline', 'metrics', 'errors', 'actions', 'api'];
const lib = (...layers) => ({ to: { element: { type: 'lib', captured: { layer: layers } } } });
const libTypes = (...layers) => ({ to: { element: { type: 'lib', captured: { layer: layers } } }, dependency: { kind: 'type' } });

const libAllows = {
  // Configuration is read first, by everything: it depends on nothing of ours but the error base.
  config: ['errors'],
  sql: ['errors', ...PURE],
  lint: ['sql', ...PURE],
  db: ['config', 'sql', ...PURE],
  state: ['db', ...PURE],
  planning: ['db', 'sql', 'lint', ...PURE],
  signals: ['config', 'db', 'sql', 'lint', 'state', ...PURE],
  executor: ['config', 'db', 'state', 'signals', ...PURE],
  auth: ['config', 'db', 'state', ...PURE],
  data: ['auth', 'config', 'db', 'state', 'planning', 'signals', 'lint', 'sql', ...PURE],
  demo: ['auth', 'config', 'db', 'state', 'executor', 'planning', 'signals', 'sql', ...PURE],
  boot: ['config', 'db', 'demo', ...PURE],
};

export const layers = [
  {
    files: ['app/**', 'components/**', 'lib/**', 'cli/**'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { alwaysTryTypes: true }, node: true },
      'boundaries/elements': [
        { type: 'app', pattern: 'app' },
        { type: 'components', pattern: 'components' },
        { type: 'lib', pattern: 'lib/*', capture: ['layer'] },
        { type: 'cli', pattern: 'cli' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            // Inside one layer, anything goes.
            { from: { element: { type: 'lib' } }, allow: { to: { element: { type: 'lib', captured: { layer: '{{ from.captured.layer }}' } } } } },
            ...Object.entries(libAllows).map(([layer, allowed]) => ({ from: { element: { type: 'lib', captured: { layer } } }, allow: lib(...allowed) })),
            // Pure layers import only each other (and, for types, the configuration's shape).
            { from: { element: { type: 'lib', captured: { layer: PURE } } }, allow: [lib(...PURE), libTypes('config')] },
            // The actions' state types describe what the server hands the forms back.
            { from: { element: { type: 'lib', captured: { layer: 'actions' } } }, allow: [{ to: { element: { type: 'lib' } }, dependency: { kind: 'type' } }] },
            // Components render: pure code, and only the types of what the server loads for them.
            {
              from: { element: { type: 'components' } },
              allow: [{ to: { element: { type: 'components' } } }, lib(...PURE), { to: { element: { type: ['app', 'lib'] } }, dependency: { kind: 'type' } }],
            },
            // Routes, actions and the command line sit on top and may use every lib layer.
            { from: { element: { type: 'app' } }, allow: [{ to: { element: { type: ['app', 'components', 'lib'] } } }] },
            { from: { element: { type: 'cli' } }, allow: [{ to: { element: { type: ['cli', 'lib'] } } }] },
          ],
        },
      ],
    },
  },
];
