import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/parse.ts';
import { chooseLogFormat, createLogger } from '../../src/logger.ts';

/** A stream collecting what a logger writes, and a way to wait for a line matching a pattern. */
function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 200 && !pattern.test(text); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return text;
  };
  return { stream, waitFor, text: () => text };
}

describe('LOG_FORMAT: pretty lines for a developer, JSON for production and pipes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-log-format-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const configOf = (env: Record<string, string>) => loadConfig({ DATA_DIR: dir, SECRET_KEYS: 'k'.repeat(40), ...env }, { cwd: dir });

  it('is read from LOG_FORMAT (default auto), and a wrong value is refused naming the variable and the choices', () => {
    assert.equal(configOf({}).logFormat, 'auto');
    assert.equal(configOf({ LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
    assert.equal(configOf({ LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.throws(
      () => configOf({ LOG_FORMAT: 'colour' }),
      (error: unknown) => error instanceof ConfigError && /LOG_FORMAT must be one of auto, pretty, json/.test(error.message),
    );
  });

  it('auto is pretty only outside production on a terminal; pretty and json are taken as given', () => {
    assert.equal(chooseLogFormat({ logFormat: 'auto', nodeEnv: 'development' }, true), 'pretty');
    assert.equal(chooseLogFormat({ logFormat: 'auto', nodeEnv: 'test' }, true), 'pretty');
    assert.equal(chooseLogFormat({ logFormat: 'auto', nodeEnv: 'development' }, false), 'json');
    assert.equal(chooseLogFormat({ logFormat: 'auto', nodeEnv: 'production' }, true), 'json');
    assert.equal(chooseLogFormat({ logFormat: 'pretty', nodeEnv: 'production' }, false), 'pretty');
    assert.equal(chooseLogFormat({ logFormat: 'json', nodeEnv: 'development' }, true), 'json');
  });

  it('pretty prints a readable line with the message and fields, redacted like JSON', async () => {
    const out = collector();
    const logger = createLogger('info', out.stream, 'pretty');
    logger.info({ url: 'http://localhost:3000', body: { password: 'hunter2 secret', token: 'abc123token' } }, 'Latchkey is running');
    const text = await out.waitFor(/Latchkey is running/);
    assert.match(text, /INFO.*Latchkey is running/);
    assert.match(text, /url: "http:\/\/localhost:3000"/);
    assert.throws(() => JSON.parse(text.split('\n')[0] as string), 'not a JSON line');
    assert.doesNotMatch(text, /hunter2|abc123token/);
    assert.match(text, /\[redacted\]/);
  });

  it('json (the default) writes one JSON object a line', async () => {
    const out = collector();
    createLogger('info', out.stream).warn({ body: { password: 'hunter2 secret' } }, 'a warning');
    const line = JSON.parse((await out.waitFor(/a warning/)).trim()) as { level: number; msg: string; body: { password: string } };
    assert.equal(line.level, 40);
    assert.equal(line.msg, 'a warning');
    assert.equal(line.body.password, '[redacted]');
  });
});
