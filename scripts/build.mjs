// npm run build (and `prepare`, so `npm install` builds): compiles src/ to JavaScript in dist/
// with tsc (tsconfig.build.json: types are not checked here, `npm run typecheck` does that),
// copies the files the code reads at run time (styles, browser scripts, word lists), and writes
// the stamp that tells bin/latchkey.js that dist/ matches the sources (bin/source-stamp.js).
// Any failure exits non-zero with the reason: `npm install` fails with it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_FILE, sourceFingerprint } from '../bin/source-stamp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();

function fail(message) {
  process.stderr.write(`\nlatchkey build FAILED: ${message}\n\n`);
  process.exit(1);
}

// Taken before compiling: a source edited during the build leaves a stamp that no longer matches.
const fingerprint = sourceFingerprint(root);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  fail('the TypeScript compiler (devDependency "typescript") is not installed; run `npm install` without --omit=dev');
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) fail(`tsc -p tsconfig.build.json exited with ${compiled.status ?? compiled.signal}`);

/** Every file under src/ that is not TypeScript (read through import.meta.url at run time) goes next to its module. */
function copyAssets(dir) {
  let copied = 0;
  for (const entry of readdirSync(join(root, 'src', dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copied += copyAssets(path);
    else if (!entry.name.endsWith('.ts')) {
      mkdirSync(dirname(join(root, 'dist', path)), { recursive: true });
      copyFileSync(join(root, 'src', path), join(root, 'dist', path));
      copied += 1;
    }
  }
  return copied;
}
let assets;
try {
  assets = copyAssets('');
} catch (error) {
  fail(`copying the run-time files of src/ to dist/: ${error.message}`);
}

writeFileSync(join(root, STAMP_FILE), fingerprint);
process.stdout.write(
  `latchkey build: src/ compiled to dist/ (${assets} assets copied) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
