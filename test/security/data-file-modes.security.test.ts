import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

const root = mkdtempSync(join(tmpdir(), 'latchkey-modes-'));
after(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the files of the default SQLite setup are private to the service user', () => {
  it('creates DATA_DIR 0700 and the secret key, the database, its WAL and shared memory 0600', async () => {
    // The usual umask: the modes must come from Latchkey, not from a strict shell.
    const previous = process.umask(0o022);
    try {
      const config = loadConfig({ NODE_ENV: 'development' }, { cwd: root });
      const dataDir = join(root, 'data');
      assert.equal(config.dataDir, dataDir);
      const database = openDatabase(config.database);
      try {
        await migrateToLatest(database);
        const file = join(dataDir, 'latchkey.db');
        assert.ok(existsSync(`${file}-wal`), 'WAL mode is on, so the WAL file exists while open');
        assert.equal(modeOf(dataDir), 0o700, 'DATA_DIR');
        for (const path of [join(dataDir, 'secret-key'), file, `${file}-wal`, `${file}-shm`]) {
          assert.equal(modeOf(path).toString(8), '600', path);
        }
      } finally {
        await database.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  it('creates the directory of a DATABASE_URL file 0700 and the file 0600', async () => {
    const previous = process.umask(0o022);
    try {
      const file = join(root, 'elsewhere', 'db', 'service.db');
      const database = openDatabase({ dialect: 'sqlite', filename: file, isDefault: false, poolSize: 1 });
      try {
        await migrateToLatest(database);
        assert.equal(modeOf(join(root, 'elsewhere', 'db')), 0o700);
        for (const path of [file, `${file}-wal`]) assert.equal(modeOf(path).toString(8), '600', path);
      } finally {
        await database.close();
      }
    } finally {
      process.umask(previous);
    }
  });
});
