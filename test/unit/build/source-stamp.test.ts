import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { distIsFresh, STAMP_FILE, sourceFingerprint } from '../../../bin/source-stamp.js';

describe('the dist/ freshness stamp (bin/source-stamp.js)', () => {
  const root = mkdtempSync(join(tmpdir(), 'latchkey-stamp-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const stamp = () => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, STAMP_FILE), sourceFingerprint(root));
  };

  beforeEach(() => {
    rmSync(join(root, 'src'), { recursive: true, force: true });
    rmSync(join(root, 'dist'), { recursive: true, force: true });
    write('src/main.ts', 'export const a = 1;\n');
    write('src/cli/index.ts', 'export const b = 2;\n');
    write('src/views/style.css', 'body {}\n');
    write('tsconfig.json', '{}');
  });

  it('is fresh right after stamping, and not without a stamp', () => {
    assert.equal(distIsFresh(root), false);
    stamp();
    assert.equal(distIsFresh(root), true);
  });

  it('goes stale when a source changes, even to the same size', () => {
    stamp();
    write('src/cli/index.ts', 'export const b = 3;\n');
    assert.equal(distIsFresh(root), false);
  });

  it('goes stale when a file is saved again unchanged (a later modification time)', () => {
    stamp();
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'src/main.ts'), later, later);
    assert.equal(distIsFresh(root), false);
  });

  it('goes stale when a source is added, removed or renamed, an asset changes, or a tsconfig changes', () => {
    const changes = [
      () => write('src/kernel/new.ts', 'export {};\n'),
      () => rmSync(join(root, 'src/main.ts')),
      () => {
        rmSync(join(root, 'src/main.ts'));
        write('src/main2.ts', 'export const a = 1;\n');
      },
      () => write('src/views/style.css', 'body { color: red }\n'),
      () => write('tsconfig.json', '{ "compilerOptions": {} }'),
      () => write('tsconfig.build.json', '{}'),
    ];
    for (const [i, change] of changes.entries()) {
      write('src/main.ts', 'export const a = 1;\n');
      rmSync(join(root, 'src/kernel'), { recursive: true, force: true });
      rmSync(join(root, 'src/main2.ts'), { force: true });
      stamp();
      assert.equal(distIsFresh(root), true, `change ${i}: fresh before`);
      change();
      assert.equal(distIsFresh(root), false, `change ${i}: stale after`);
    }
  });

  it('lists the files of the real src/, sources and assets, with size and modification time', () => {
    const fingerprint = sourceFingerprint(join(import.meta.dirname, '..', '..', '..'));
    assert.match(fingerprint, /^src\/app\.ts\t\d+\t[\d.]+$/m);
    assert.match(fingerprint, /^src\/views\/style\.css\t\d+\t[\d.]+$/m);
  });
});
