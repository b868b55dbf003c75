import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { configInTempDir, refusal, TEST_SECRET_KEYS } from '../../support/config.ts';

const KEY = TEST_SECRET_KEYS;
const { dir, load } = configInTempDir('config');

/** The ConfigError message for an environment that must be refused. */
function problemsOf(env: Record<string, string>, options: { withKey?: boolean } = {}): string {
  const full = options.withKey === false ? { DATA_DIR: dir, ...env } : { DATA_DIR: dir, SECRET_KEYS: KEY, ...env };
  return refusal(() => loadConfig(full, { cwd: dir }), env);
}

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    const config = load({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.publicUrl.href, 'http://localhost:3000/');
    assert.deepEqual(config.database, { dialect: 'sqlite', filename: join(dir, 'data/latchkey.db'), isDefault: true, poolSize: 1 });
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.redisKeyPrefix, 'latchkey');
    assert.equal(config.metricsToken, undefined);
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.devMailbox, true);
    assert.equal(config.resetTokenTtlSeconds, 3600);
    assert.equal(config.trustProxy, false);
    assert.deepEqual(config.rateLimits.forgotPerEmail, { points: 5, durationSeconds: 3600 });
    assert.deepEqual(config.rateLimits.reauthPerSession, { points: 10, durationSeconds: 900 });
    assert.deepEqual(config.rateLimits.reauthPerAccount, { points: 30, durationSeconds: 900 });
    assert.deepEqual(config.rateLimits.secondFactorPerAccount, { points: 20, durationSeconds: 900 });
    assert.deepEqual(config.rateLimits.loginPerDevice, { points: 10, durationSeconds: 900 });
    assert.equal(config.ipv6SubnetPrefix, 64);
    assert.equal(config.passwordMinLength, 8);
    assert.equal(config.passwordMaxLength, 128);
    assert.ok(Object.isFrozen(config));
  });

  it('reads every setting it is given', () => {
    const config = load({
      PORT: '8080',
      PUBLIC_URL: 'https://id.example.com',
      DATABASE_URL: 'sqlite:./other.db',
      SMTP_URL: 'smtp://mail.example.com:587',
      SECRET_KEYS: `${KEY}, ${'j'.repeat(32)}`,
      RESET_TOKEN_TTL: '900',
      CODE_TTL: '300',
      TRUST_PROXY: '10.0.0.0/8, loopback',
      RATE_LIMIT_FORGOT_EMAIL: '3/600',
      RATE_LIMIT_REAUTH_SESSION: '4/60',
      RATE_LIMIT_LOGIN_DEVICE: '5/300',
      IPV6_SUBNET_PREFIX: '56',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.publicUrl.origin, 'https://id.example.com');
    assert.equal(config.codeTtlSeconds, 300);
    assert.deepEqual(config.allowedOrigins, ['https://id.example.com']);
    assert.deepEqual(config.database, { dialect: 'sqlite', filename: join(dir, 'other.db'), isDefault: false, poolSize: 1 });
    assert.deepEqual(config.secretKeys, [KEY, 'j'.repeat(32)]);
    assert.equal(config.resetTokenTtlSeconds, 900);
    assert.equal(config.trustProxy, '10.0.0.0/8,loopback');
    assert.deepEqual(config.rateLimits.forgotPerEmail, { points: 3, durationSeconds: 600 });
    assert.deepEqual(config.rateLimits.reauthPerSession, { points: 4, durationSeconds: 60 });
    assert.deepEqual(config.rateLimits.loginPerDevice, { points: 5, durationSeconds: 300 });
    assert.equal(config.ipv6SubnetPrefix, 56);
    assert.equal(config.devMailbox, false);
    assert.equal(config.mailFrom, 'Latchkey <no-reply@id.example.com>');
  });

  it('takes a path in PUBLIC_URL as the base path, without a trailing slash', () => {
    for (const [value, basePath, href] of [
      ['https://example.com/auth', '/auth', 'https://example.com/auth'],
      ['https://example.com/auth/', '/auth', 'https://example.com/auth'],
      ['https://example.com/a/b.c_~-d/', '/a/b.c_~-d', 'https://example.com/a/b.c_~-d'],
      ['https://example.com/', '', 'https://example.com/'],
    ] as const) {
      const config = load({ PUBLIC_URL: value });
      assert.equal(config.basePath, basePath, value);
      assert.equal(config.publicUrl.href, href, value);
      assert.deepEqual(config.allowedOrigins, ['https://example.com'], 'the origin is what Origin headers are checked against');
    }
  });

  it('names each bad variable and what it expected', () => {
    assert.match(problemsOf({ PORT: 'abc' }), /PORT must be a whole number from 0 to 65535, got "abc"/);
    assert.match(problemsOf({ PORT: '70000' }), /PORT must be a whole number/);
    assert.match(problemsOf({ PUBLIC_URL: 'ftp://x' }), /PUBLIC_URL must be a URL starting with http:\/\/ or https:\/\/, got "ftp:\/\/x"/);
    assert.match(
      problemsOf({ PUBLIC_URL: 'https://x.example/app?x=1' }),
      /PUBLIC_URL must be an origin, optionally with a path .* without query/,
    );
    assert.match(problemsOf({ PUBLIC_URL: 'https://x.example/app#top' }), /PUBLIC_URL must be an origin, optionally with a path/);
    assert.match(problemsOf({ PUBLIC_URL: 'https://x.example/a%20b' }), /PUBLIC_URL's path must be one or more segments .*got "\/a%20b"/);
    assert.match(problemsOf({ PUBLIC_URL: 'https://x.example/a//b' }), /PUBLIC_URL's path must be one or more segments/);
    assert.match(problemsOf({ SECRET_KEYS: 'too-short' }), /SECRET_KEYS must be .* at least 32 characters/);
    assert.match(problemsOf({ SECRET_KEYS: `${KEY},short` }), /SECRET_KEYS/, 'every key is checked, not only the first');
    assert.match(problemsOf({ RATE_LIMIT_FORGOT_EMAIL: '5' }), /RATE_LIMIT_FORGOT_EMAIL must look like POINTS\/SECONDS .*got "5"/);
    assert.match(problemsOf({ RATE_LIMIT_LOGIN_DEVICE: '0/900' }), /RATE_LIMIT_LOGIN_DEVICE must look like POINTS\/SECONDS/);
    assert.match(problemsOf({ RATE_LIMIT_LOGIN_IP: '0/60' }), /RATE_LIMIT_LOGIN_IP/);
    assert.match(problemsOf({ RATE_LIMIT_REAUTH_SESSION: 'ten' }), /RATE_LIMIT_REAUTH_SESSION must look like POINTS\/SECONDS/);
    assert.match(problemsOf({ RATE_LIMIT_REAUTH_ACCOUNT: '5/0' }), /RATE_LIMIT_REAUTH_ACCOUNT must look like POINTS\/SECONDS/);
    assert.match(
      problemsOf({ RATE_LIMIT_SECOND_FACTOR_ACCOUNT: 'ten' }),
      /RATE_LIMIT_SECOND_FACTOR_ACCOUNT must look like POINTS\/SECONDS/,
    );
    assert.match(problemsOf({ IPV6_SUBNET_PREFIX: '16' }), /IPV6_SUBNET_PREFIX must be a whole number from 32 to 128 bits, got "16"/);
    assert.match(problemsOf({ IPV6_SUBNET_PREFIX: '129' }), /IPV6_SUBNET_PREFIX/);
    assert.match(problemsOf({ RESET_TOKEN_TTL: '10' }), /RESET_TOKEN_TTL must be a whole number from 60 to 604800 seconds/);
    assert.match(problemsOf({ CODE_TTL: '7200' }), /CODE_TTL must be a whole number from 60 to 3600 seconds/);
    assert.match(problemsOf({ SMTP_URL: 'http://mail' }), /SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
    assert.match(problemsOf({ TRUST_PROXY: 'everyone' }), /TRUST_PROXY must be/);
    assert.match(problemsOf({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of/);
    assert.match(problemsOf({ NODE_ENV: 'staging' }), /NODE_ENV must be one of development, production, test/);
    assert.match(problemsOf({ MAIL_FROM: 'a@b.c\r\nBcc: x@y.z' }), /MAIL_FROM must be a single line/);
    assert.match(
      problemsOf({ PASSWORD_MIN_LENGTH: '100', PASSWORD_MAX_LENGTH: '64' }),
      /PASSWORD_MIN_LENGTH must not be greater than PASSWORD_MAX_LENGTH/,
    );
  });

  it('accepts postgres:// and mysql:// databases, refuses URLs without a database, and hides credentials', () => {
    assert.deepEqual(load({ DATABASE_URL: 'postgres://u:p@db/latchkey' }).database, {
      dialect: 'postgres',
      url: 'postgres://u:p@db/latchkey',
      isDefault: false,
      poolSize: 10,
    });
    assert.equal(load({ DATABASE_URL: 'postgresql://db/latchkey' }).database.dialect, 'postgres');
    assert.deepEqual(load({ DATABASE_URL: 'mysql://u:p@db:3306/latchkey', DATABASE_POOL_SIZE: '25' }).database, {
      dialect: 'mysql',
      url: 'mysql://u:p@db:3306/latchkey',
      isDefault: false,
      poolSize: 25,
    });
    const noDatabase = problemsOf({ DATABASE_URL: 'postgres://u:secretpw@db' });
    assert.match(noDatabase, /DATABASE_URL must name a host and a database/);
    assert.ok(!noDatabase.includes('secretpw'), 'the password in the URL is not echoed');
    assert.match(problemsOf({ DATABASE_POOL_SIZE: '0' }), /DATABASE_POOL_SIZE must be a whole number from 1 to 1000/);
    const unknown = problemsOf({ DATABASE_URL: 'redis://user:hunter2@cache:6379' });
    assert.match(unknown, /DATABASE_URL must start with sqlite:, postgres:\/\/ or mysql:\/\//);
    assert.ok(!unknown.includes('hunter2'), 'the password in the URL is not echoed');
  });

  it('reads REDIS_URL, REDIS_KEY_PREFIX and METRICS_TOKEN, naming bad values', () => {
    const config = load({ REDIS_URL: 'redis://:pw@cache:6379/0', REDIS_KEY_PREFIX: 'lk-prod', METRICS_TOKEN: 'm'.repeat(16) });
    assert.equal(config.redisUrl, 'redis://:pw@cache:6379/0');
    assert.equal(config.redisKeyPrefix, 'lk-prod');
    assert.equal(config.metricsToken, 'm'.repeat(16));
    assert.match(problemsOf({ REDIS_URL: 'http://cache' }), /REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    assert.match(problemsOf({ REDIS_KEY_PREFIX: 'has space' }), /REDIS_KEY_PREFIX must be/);
    assert.match(problemsOf({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN must be at least 16 characters/);
  });

  it('requires SECRET_KEYS and SMTP_URL in production, naming both', () => {
    const message = problemsOf({ NODE_ENV: 'production' }, { withKey: false });
    assert.match(message, /SECRET_KEYS is required when NODE_ENV=production/);
    assert.match(message, /SMTP_URL is required when NODE_ENV=production/);
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, SECRET_KEYS: KEY, SMTP_URL: 'smtp://mail:25' }, { cwd: dir });
    assert.equal(config.devMailbox, false);
  });

  it('reports every problem at once', () => {
    const message = problemsOf({ PORT: 'abc', PUBLIC_URL: 'ftp://x', RATE_LIMIT_FORGOT_EMAIL: '5' });
    for (const name of ['PORT', 'PUBLIC_URL', 'RATE_LIMIT_FORGOT_EMAIL']) assert.match(message, new RegExp(name));
  });

  it('outside production without SECRET_KEYS, generates one key into DATA_DIR (0600) and reuses it', () => {
    const keyDir = join(dir, 'dev');
    const first = loadConfig({ DATA_DIR: keyDir }, { cwd: dir });
    assert.equal(first.secretKeysGenerated, true);
    const file = join(keyDir, 'secret-key');
    assert.ok(existsSync(file));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), first.secretKeys[0]);
    assert.ok((first.secretKeys[0] as string).length >= 32);
    assert.deepEqual(loadConfig({ DATA_DIR: keyDir }, { cwd: dir }).secretKeys, first.secretKeys);
  });

  it('refuses an empty or short DATA_DIR/secret-key, naming the file, instead of using it as the key', () => {
    for (const [name, content] of [
      ['empty', ''],
      ['blank', ' \n'],
      ['short', 'only-twenty-characters\n'],
    ] as const) {
      const keyDir = join(dir, `bad-key-${name}`);
      mkdirSync(keyDir);
      const file = join(keyDir, 'secret-key');
      writeFileSync(file, content, { mode: 0o600 });
      const message = problemsOf({ DATA_DIR: keyDir }, { withKey: false });
      assert.ok(message.includes(file), `${name}: ${message}`);
      assert.match(message, /at least 32|the 32 every key needs/, name);
      assert.equal(readFileSync(file, 'utf8'), content, 'the file is left for the operator to look at');
    }
  });

  it('creates a new DATA_DIR for the generated key 0700', () => {
    const keyDir = join(dir, 'fresh', 'data');
    const previous = process.umask(0o022);
    try {
      loadConfig({ DATA_DIR: keyDir }, { cwd: dir });
    } finally {
      process.umask(previous);
    }
    assert.equal(statSync(keyDir).mode & 0o777, 0o700);
    assert.deepEqual(
      readdirSync(keyDir).filter((name) => name !== 'secret-key'),
      [],
      'no temporary file is left behind',
    );
  });
});
