#!/usr/bin/env node
// Entry point of the `expand-contract` command: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
register();
await import('../cli/main.ts');
