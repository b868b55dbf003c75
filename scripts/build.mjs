// npm run build (and `prepare`, so `npm install` builds): compiles src/ to JavaScript in dist/
// with tsc (tsconfig.build.json: types are not checked here, `npm run typecheck` does that),
// copies the files the code reads at run time (styles, browser scripts, word lists), bundles
// Kysely and TypeBox into dist/vendor/ (below), and writes the stamp that tells bin/latchkey.js
// that dist/ matches the sources (bin/source-stamp.js).
// Any failure exits non-zero with the reason: `npm install` fails with it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
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

/**
 * Kysely and TypeBox ship as about 500 small ES modules, and loading that many files was the
 * largest part of the service's start-up. Each is bundled with esbuild (which tsx brings) into one
 * module in dist/vendor/ (code both share goes to a chunk, so there is one copy of everything),
 * and the compiled code imports those instead of the packages. The sources, the tests and the
 * library entry keep importing the packages themselves.
 */
const VENDORED = { kysely: 'kysely', '@sinclair/typebox': 'typebox', '@sinclair/typebox/value': 'typebox-value' };

async function bundleVendored() {
  let esbuild;
  try {
    esbuild = await import(createRequire(import.meta.url).resolve('esbuild'));
  } catch {
    fail('esbuild (installed with the dependency "tsx") is not installed; run `npm install`');
  }
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.entries(VENDORED).map(([from, name]) => ({ in: from, out: name })),
    outdir: join(root, 'dist', 'vendor'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  // Every import of a vendored package in the compiled code now names its bundle; an import of a
  // subpath that is not bundled would load a second copy of the package, so it fails the build.
  const importOf = /((?:\bfrom|\bimport)\s*\(?\s*)(['"])((?:kysely|@sinclair\/typebox)(?:\/[^'"]*)?)\2/g;
  const rewrite = (dir) => {
    for (const entry of readdirSync(join(root, 'dist', dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== 'vendor') rewrite(path);
      } else if (entry.name.endsWith('.js')) {
        const file = join(root, 'dist', path);
        const code = readFileSync(file, 'utf8');
        const rewritten = code.replace(importOf, (_, keyword, quote, specifier) => {
          const name = VENDORED[specifier];
          if (!name) fail(`dist/${path} imports ${specifier}, which the build does not bundle: add it to VENDORED in scripts/build.mjs`);
          const target = relative(dirname(file), join(root, 'dist', 'vendor', `${name}.js`));
          return `${keyword}${quote}${target.startsWith('.') ? target : `./${target}`}${quote}`;
        });
        if (rewritten !== code) writeFileSync(file, rewritten);
      }
    }
  };
  rewrite('');
}
try {
  await bundleVendored();
} catch (error) {
  fail(`bundling ${Object.keys(VENDORED).join(', ')} into dist/vendor/: ${error.message}`);
}

writeFileSync(join(root, STAMP_FILE), fingerprint);
process.stdout.write(
  `latchkey build: src/ compiled to dist/ (${assets} assets copied), ${Object.keys(VENDORED).join(', ')} bundled into dist/vendor/, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
