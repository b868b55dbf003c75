#!/usr/bin/env node
// Runs the compiled CLI in dist/ when it was built from the sources as they are now (the stamp
// written by `npm run build`, checked in a few ms by bin/source-stamp.js); otherwise, after an
// edit in src/ or with no build at all, runs the TypeScript sources through tsx. A stale dist/
// never runs.
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './source-stamp.js';

if (distIsFresh(fileURLToPath(new URL('..', import.meta.url)))) {
  await import('../dist/cli/index.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
