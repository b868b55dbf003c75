// The freshness stamp of dist/: which sources it was compiled from. scripts/build.mjs writes it
// after a successful build; bin/latchkey.js runs dist/ only when it still matches the sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the build writes the stamp, relative to the project root. */
export const STAMP_FILE = join('dist', '.source-stamp');

/** Files outside src/ whose change changes what the build emits. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', join('scripts', 'build.mjs')];

function listFiles(root, dir, out) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, path, out);
    else out.push(path);
  }
  return out;
}

/**
 * One line per build input (src/**, the tsconfigs, the build script): path, size and modification
 * time in ms. Any edit, added, removed or renamed file changes it. A few milliseconds for ~250
 * files: cheap enough to compute at every start of the CLI.
 */
export function sourceFingerprint(root) {
  const files = [...listFiles(root, 'src', []).sort(), ...BUILD_INPUTS];
  return files
    .map((path) => {
      try {
        const s = statSync(join(root, path));
        return `${path}\t${s.size}\t${s.mtimeMs}`;
      } catch {
        return `${path}\tmissing`;
      }
    })
    .join('\n');
}

/** True when dist/ was built, completely, from the sources as they are now. */
export function distIsFresh(root) {
  let stamp;
  try {
    stamp = readFileSync(join(root, STAMP_FILE), 'utf8');
  } catch {
    return false;
  }
  return stamp === sourceFingerprint(root);
}
