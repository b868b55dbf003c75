import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/parse.ts';

type Env = Record<string, string>;

/** A SECRET_KEYS value long enough for loadConfig. */
export const TEST_SECRET_KEYS = 'k'.repeat(40);

/** The ConfigError message of `attempt`, which must refuse `env` (named when it does not). */
export function refusal(attempt: () => unknown, env: Env): string {
  try {
    attempt();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`configuration was accepted: ${JSON.stringify(env)}`);
}

/**
 * For a config test file: a data directory of its own (removed after its tests), `load` (the
 * Config for an environment, with DATA_DIR and SECRET_KEYS set) and `problemsOf` (the ConfigError
 * message for an environment that must be refused).
 */
export function configInTempDir(name: string): {
  dir: string;
  load: (env: Env) => ReturnType<typeof loadConfig>;
  problemsOf: (env: Env) => string;
} {
  const dir = mkdtempSync(join(tmpdir(), `latchkey-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (env: Env) => loadConfig({ DATA_DIR: dir, SECRET_KEYS: TEST_SECRET_KEYS, ...env }, { cwd: dir });
  return { dir, load, problemsOf: (env) => refusal(() => load(env), env) };
}
