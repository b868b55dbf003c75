import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/config/parse.ts';
import { configFromSettings, SETTING_NAMES } from '../../../src/config/settings.ts';

const KEY = 'k'.repeat(40);
const dir = mkdtempSync(join(tmpdir(), 'latchkey-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The names loadConfig looks up in an environment, whether or not it holds them. */
function namesRead(env: Record<string, string>): Set<string> {
  const seen = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') seen.add(name);
      return target[name as string];
    },
  });
  try {
    loadConfig(recording, { cwd: dir });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  return seen;
}

describe('settings for the library entry', () => {
  it('lists exactly the settings loadConfig reads, so every one can be passed as an object', () => {
    const read = new Set<string>();
    for (const env of <Array<Record<string, string>>>[
      { DATA_DIR: dir, SECRET_KEYS: KEY },
      { DATA_DIR: dir, SECRET_KEYS: KEY, DATABASE_URL: 'postgres://u:p@db.example:5432/x', REDIS_URL: 'redis://r.example:6379' },
      { DATA_DIR: dir, NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example:587', DATABASE_URL: 'mysql://u:p@db.example/x' },
    ]) {
      for (const name of namesRead(env)) read.add(name);
    }
    const listed = new Set<string>(SETTING_NAMES);
    assert.deepEqual(
      [...read].filter((n) => !listed.has(n)),
      [],
      'read by loadConfig but missing from SETTING_NAMES (src/config/settings.ts)',
    );
    assert.deepEqual(
      [...listed].filter((n) => !read.has(n)),
      [],
      'in SETTING_NAMES but never read by loadConfig',
    );
  });

  it('takes numbers, booleans and lists, and validates like the environment', () => {
    const config = configFromSettings(
      { DATA_DIR: dir, SECRET_KEYS: [KEY, 'j'.repeat(32)], PORT: 8080, COURIER_INLINE: false, PUBLIC_URL: 'https://example.com/auth/' },
      { cwd: dir },
    );
    assert.equal(config.port, 8080);
    assert.equal(config.courierInline, false);
    assert.deepEqual(config.secretKeys, [KEY, 'j'.repeat(32)]);
    assert.equal(config.basePath, '/auth');
  });

  it('names unknown settings and bad values together, and reads nothing from process.env', () => {
    process.env.PUBLIC_URL = 'ftp://from-the-environment';
    try {
      const config = configFromSettings({ DATA_DIR: dir, SECRET_KEYS: KEY }, { cwd: dir });
      assert.equal(config.publicUrl.href, 'http://localhost:3000/', 'process.env is not a source of settings');
      assert.throws(
        () => configFromSettings({ DATA_DIR: dir, SECRET_KEYS: KEY, PORT: 'abc', SMTP_HOST: 'x', HOST: { a: 1 } } as never, { cwd: dir }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /"SMTP_HOST" is not a Latchkey setting/.test(error.message) &&
          /HOST must be a string, number, boolean or list of strings/.test(error.message) &&
          /PORT must be a whole number/.test(error.message),
      );
    } finally {
      delete process.env.PUBLIC_URL;
    }
  });
});

describe('the README documents every setting', () => {
  it('has a row in its Configuration table for each variable loadConfig reads', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('## Configuration');
    const end = readme.indexOf('\n## ', start + 1);
    assert.ok(start >= 0 && end > start, 'README has a Configuration section');
    const rows = new Set([...readme.slice(start, end).matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string));
    const read = new Set<string>();
    for (const env of <Array<Record<string, string>>>[
      { DATA_DIR: dir, SECRET_KEYS: KEY },
      { DATA_DIR: dir, SECRET_KEYS: KEY, DATABASE_URL: 'postgres://u:p@db.example:5432/x', REDIS_URL: 'redis://r.example:6379' },
      { DATA_DIR: dir, NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example:587', DATABASE_URL: 'mysql://u:p@db.example/x' },
    ]) {
      for (const name of namesRead(env)) read.add(name);
    }
    assert.ok(read.size >= 50, `loadConfig read ${read.size} variables`);
    assert.deepEqual(
      [...read].filter((n) => !rows.has(n)),
      [],
      'read by loadConfig but without a row in the README Configuration table',
    );
    assert.deepEqual(
      [...rows].filter((n) => !read.has(n)),
      [],
      'a README Configuration row for a variable loadConfig never reads',
    );
  });
});
