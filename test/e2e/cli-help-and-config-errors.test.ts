import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CliSandbox, migrationList } from '../support/cli.ts';

const COMMANDS: Array<[string[], RegExp[]]> = [
  [[], [/Usage: latchkey/, /serve/, /worker/, /migrate/, /cleanup/, /users/, /clients/, /keys/]],
  [['serve'], [/Usage: latchkey serve/, /start the HTTP service/]],
  [['worker'], [/Usage: latchkey worker/, /courier/]],
  [['migrate'], [/Usage: latchkey migrate/, /--status/]],
  [['cleanup'], [/Usage: latchkey cleanup/, /--batch-size <n>/]],
  [['users'], [/Usage: latchkey users/, /create/, /disable/, /list/]],
  [
    ['users', 'create'],
    [/Usage: latchkey users create \[options\] <email>/, /--name <name>/],
  ],
  [['users', 'disable'], [/Usage: latchkey users disable \[options\] <email>/]],
  [
    ['clients', 'add'],
    [/Usage: latchkey clients add/, /--redirect-uri <uri>/, /--public/, /--skip-consent/, /--json/],
  ],
  [
    ['users', 'list'],
    [/Usage: latchkey users list/, /--limit <n>/, /--offset <n>/, /--json/],
  ],
];

describe('latchkey --help and configuration errors', () => {
  const sandbox = new CliSandbox();
  after(() => sandbox.remove());

  it('prints help for every command and exits 0, touching nothing', async () => {
    const results = await Promise.all(COMMANDS.map(([args]) => sandbox.run([...args, '--help'])));
    for (const [i, result] of results.entries()) {
      const [args, patterns] = COMMANDS[i] as [string[], RegExp[]];
      assert.equal(result.code, 0, `${args.join(' ')} --help: ${result.stderr}`);
      for (const pattern of patterns) assert.match(result.stdout, pattern, `${args.join(' ')} --help`);
    }
    assert.equal(existsSync(sandbox.databaseFile), false, 'help opens no database');
  });

  it('--version and -V print the version in package.json and exit 0, with no configuration at all', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.match(version, /^\d+\.\d+\.\d+/);
    // An environment that would stop any command (a bad PORT): printing the version reads none of it.
    for (const flag of ['--version', '-V']) {
      const result = await sandbox.run([flag], { PORT: 'abc' });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${version}\n`);
      assert.equal(result.stderr, '');
    }
    assert.match((await sandbox.run(['--help'])).stdout, /-V, --version\s+print the version of Latchkey/);
  });

  it('exits 2 at startup naming each bad variable', async () => {
    const [badValues, production, postgres] = await Promise.all([
      sandbox.run(['serve'], { PORT: 'abc', PUBLIC_URL: 'ftp://x', RATE_LIMIT_FORGOT_EMAIL: '5', SECRET_KEYS: 'short' }),
      sandbox.run(
        ['cleanup'],
        {},
        { replaceEnv: { NODE_ENV: 'production', DATA_DIR: sandbox.dir, DATABASE_URL: `sqlite:${sandbox.databaseFile}` } },
      ),
      sandbox.run(['migrate'], { DATABASE_URL: 'postgres://latchkey:hunter2@db.example/latchkey' }),
    ]);
    assert.equal(badValues.code, 2, badValues.stderr);
    assert.equal(badValues.stdout, '');
    assert.match(badValues.stderr, /^latchkey: Invalid configuration:/);
    assert.match(badValues.stderr, /PORT must be a whole number from 0 to 65535, got "abc"/);
    assert.match(badValues.stderr, /PUBLIC_URL must be a URL starting with http:\/\/ or https:\/\//);
    assert.match(badValues.stderr, /RATE_LIMIT_FORGOT_EMAIL must look like POINTS\/SECONDS/);
    assert.match(badValues.stderr, /SECRET_KEYS must be .* at least 32 characters/);
    assert.doesNotMatch(badValues.stderr, /\n\s+at /, 'no stack trace');

    assert.equal(production.code, 2, production.stderr);
    assert.match(production.stderr, /SECRET_KEYS is required when NODE_ENV=production/);
    assert.match(production.stderr, /SMTP_URL is required when NODE_ENV=production/);

    // PostgreSQL is supported (issue 4): an unreachable server is named in one line, exit code 4.
    assert.equal(postgres.code, 4, postgres.stderr);
    assert.match(postgres.stderr, /^latchkey: cannot reach the database at postgres:\/\/latchkey:\*\*\*@db\.example\/latchkey: /);
    assert.doesNotMatch(postgres.stderr, /hunter2/);
    assert.doesNotMatch(postgres.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(sandbox.databaseFile), false, 'nothing was created');
  });

  it('reads .env from the working directory, real environment variables winning', async () => {
    const withEnvFile = new CliSandbox();
    try {
      writeFileSync(join(withEnvFile.dir, '.env'), 'PORT=abc\nRESET_TOKEN_TTL=5\n');
      const [fromFile, overridden] = await Promise.all([
        withEnvFile.run(['migrate', '--status']),
        withEnvFile.run(['migrate', '--status'], { PORT: '3000', RESET_TOKEN_TTL: '600' }),
      ]);
      assert.equal(fromFile.code, 2);
      assert.match(fromFile.stderr, /PORT must be a whole number from 0 to 65535, got "abc"/);
      assert.match(fromFile.stderr, /RESET_TOKEN_TTL must be a whole number from 60/);
      assert.equal(overridden.code, 0, overridden.stderr);
      assert.match(overridden.stdout, new RegExp(`^pending  ${migrationList().split(', ')[0]}\n`));
      assert.match(overridden.stdout, /pending: run `latchkey migrate` to apply them\n$/);
    } finally {
      withEnvFile.remove();
    }
  });
});
