import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { apiClient, requestResetToken, signedInClient } from '../support/flows.ts';
import { runPython } from '../support/python-hashes.ts';

const FST_SALT = `fst-${'s'.repeat(60)}`;
const DEVISE_PEPPER = randomBytes(64).toString('hex');

interface Account {
  email: string;
  password: string;
  hash: string;
}

/** Hashes written by the real libraries (werkzeug, passlib, bcrypt) the way each framework calls them. */
function frameworkHashes(): Record<string, Account[]> | string {
  const result = runPython<Record<string, Account[]>>(
    `
import json, sys, hmac, hashlib, base64
import bcrypt
from werkzeug.security import generate_password_hash
from passlib.hash import pbkdf2_sha512, django_pbkdf2_sha256, django_bcrypt_sha256
from passlib.hash import bcrypt as passlib_bcrypt
d = json.load(sys.stdin)
def fst(p):
    return base64.b64encode(hmac.new(d["salt"].encode(), p.encode(), hashlib.sha512).digest()).decode()
out = {
  "flask": [dict(email="flask%d@example.com" % i, password="flask pw %d" % i, hash=generate_password_hash("flask pw %d" % i)) for i in range(3)],
  "fst": [dict(email="fst1@example.com", password="fst pw ünï", hash=passlib_bcrypt.using(rounds=6).hash(fst("fst pw ünï"))),
          dict(email="fst2@example.com", password="fst pw two", hash=pbkdf2_sha512.hash(fst("fst pw two")))],
  "django": [dict(email="dj1@example.com", password="django pw", hash=django_pbkdf2_sha256.using(rounds=100000).hash("django pw")),
             dict(email="dj2@example.com", password="django pw 2", hash=django_bcrypt_sha256.using(rounds=6).hash("django pw 2"))],
  "devise": [dict(email="devise@example.com", password="devise pw", hash=bcrypt.hashpw(("devise pw" + d["pepper"]).encode(), bcrypt.gensalt(6, prefix=b"2a")).decode())],
}
print(json.dumps(out))
`,
    { salt: FST_SALT, pepper: DEVISE_PEPPER },
  );
  return 'missing' in result ? result.missing : result.value;
}

function betterAuthHash(password: string): string {
  const salt = randomBytes(16).toString('hex');
  const key = scryptSync(password.normalize('NFKC'), salt, 64, { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 });
  return `${salt}:${key.toString('hex')}`;
}

const generated = frameworkHashes();
const skip = typeof generated === 'string' ? `SKIPPED: the framework hashes cannot be generated here (${generated})` : undefined;
if (skip) console.log(skip);
const accounts = (name: string): Account[] => (typeof generated === 'string' ? [] : (generated[name] ?? []));

describe('latchkey import from each system: the users sign in with their old passwords (issue 10)', () => {
  const sandbox = new CliSandbox();
  let service: TestService;
  const cli = (args: string[], env: Record<string, string> = {}) => sandbox.run(args, { DATABASE_URL: service.databaseUrl, ...env });
  const jsonl = (name: string, rows: object[]) => {
    const file = join(sandbox.dir, `${name}.jsonl`);
    writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n'));
    return file;
  };
  /** Signs in with the old password (the hash becomes Argon2id), refuses a wrong one first. */
  const signsIn = async (account: Account) => {
    const wrong = await apiClient(service).postJson('/api/login', { email: account.email, password: `${account.password}!` });
    assert.equal(wrong.status, 401, account.email);
    await signedInClient(service, account.email, account.password);
    const user = await service.deps.store.users.findByCanonicalEmail(account.email);
    assert.match(user?.password_hash ?? '', /^\$argon2id\$/, account.email);
    await signedInClient(service, account.email, account.password);
  };

  before(async () => {
    service = await startTestService({ CONFIRM_EMAIL: 'off' });
  });
  after(async () => {
    await service.close();
    sandbox.remove();
  });

  it("the seed tutorial's Flask app: its SQLite users table, read-only, with the documented query", { skip }, async () => {
    const file = join(sandbox.dir, 'flask-app.sqlite');
    const old = new SQLite(file);
    old.exec('create table users (id integer primary key, email text unique not null, password_hash text not null, name text)');
    const insert = old.prepare('insert into users (email, password_hash, name) values (?, ?, ?)');
    for (const a of accounts('flask')) insert.run(a.email, a.hash, `Name of ${a.email}`);
    old.close();
    const run = await cli(['import', '--from-db', `sqlite:${file}`, '--query', 'select email, password_hash, name from users']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^imported 3, updated 0, skipped 0 already there, refused 0 of 3 rows$/m);
    for (const a of accounts('flask')) await signsIn(a);
    const again = await cli(['import', '--from-db', `sqlite:${file}`, '--query', 'select email, password_hash, name from users']);
    assert.match(again.stdout, /^imported 0, updated 0, skipped 3 already there/m);
  });

  it('Flask-Security-Too with its SECURITY_PASSWORD_SALT (given as env:NAME), sealed beside the hash', { skip }, async () => {
    const file = jsonl(
      'fst',
      accounts('fst').map((a) => ({ email: a.email, password_hash: a.hash })),
    );
    const withoutSalt = await cli(['import', file, '--dry-run']);
    assert.equal(withoutSalt.code, 0, 'the hashes are valid passlib hashes either way');
    const run = await cli(['import', file, '--fst-password-salt', 'env:FST_SALT'], { FST_SALT });
    assert.equal(run.code, 0, run.stderr);
    const stored = await service.deps.store.users.findByCanonicalEmail('fst2@example.com');
    assert.ok((stored?.password_hash?.length ?? 0) > 255, 'the envelope outgrows varchar(255) (migration 0005-imported-hashes)');
    assert.ok(!stored?.password_hash?.includes(FST_SALT), 'the salt is sealed');
    assert.match((await cli(['users', 'show', 'fst1@example.com'])).stdout, /password hash: +flask-security-too bcrypt with HMAC pre-hash/);
    for (const a of accounts('fst')) await signsIn(a);
  });

  it('Django pbkdf2_sha256 and bcrypt_sha256', { skip }, async () => {
    const file = jsonl(
      'django',
      accounts('django').map((a) => ({ email: a.email, password_hash: a.hash, disabled: false })),
    );
    const run = await cli(['import', file]);
    assert.equal(run.code, 0, run.stderr);
    for (const a of accounts('django')) await signsIn(a);
  });

  it('Devise bcrypt with its pepper', { skip }, async () => {
    const file = jsonl(
      'devise',
      accounts('devise').map((a) => ({ email: a.email, password_hash: a.hash, email_verified: '2022-01-01 10:00:00' })),
    );
    const run = await cli(['import', file, '--devise-pepper', DEVISE_PEPPER]);
    assert.equal(run.code, 0, run.stderr);
    for (const a of accounts('devise')) await signsIn(a);
  });

  it('Better Auth scrypt (NFKC-normalised passwords)', async () => {
    const account = { email: 'better@example.com', password: 'ﬁne better auth pw', hash: '' };
    account.hash = betterAuthHash(account.password);
    const run = await cli(['import', jsonl('better-auth', [{ email: account.email, password_hash: account.hash }])]);
    assert.equal(run.code, 0, run.stderr);
    assert.match((await cli(['users', 'show', account.email])).stdout, /password hash: +better-auth scrypt/);
    await signsIn(account);
  });

  it('a reset replaces the legacy hash too, and a new password equal to the old one is refused as the current one', async () => {
    const account = { email: 'reset@example.com', password: 'old better auth password', hash: '' };
    account.hash = betterAuthHash(account.password);
    assert.equal((await cli(['import', jsonl('reset', [{ email: account.email, password_hash: account.hash }])])).code, 0);
    const token = await requestResetToken(service, account.email);
    const same = await apiClient(service).postJson('/api/password/reset', { token, password: account.password });
    assert.equal(same.json().error.code, 'PASSWORD_SAME_AS_CURRENT');
    const reset = await apiClient(service).postJson('/api/password/reset', { token, password: 'a brand new passphrase' });
    assert.equal(reset.status, 200, reset.text);
    const user = await service.deps.store.users.findByCanonicalEmail(account.email);
    assert.match(user?.password_hash ?? '', /^\$argon2id\$/);
    assert.equal((await apiClient(service).postJson('/api/login', { email: account.email, password: account.password })).status, 401);
    await signedInClient(service, account.email, 'a brand new passphrase');
  });

  describe('from a real PostgreSQL database', {
    skip: process.env.TEST_POSTGRES_URL ? skip : 'SKIPPED: TEST_POSTGRES_URL is not set',
  }, () => {
    const table = `import_source_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
    before(async () => {
      await client.connect();
      await client.query(
        `create table ${table} (id serial primary key, email text not null, password_hash text, name text, confirmed boolean, joined timestamptz)`,
      );
      for (const [i, a] of accounts('flask').entries()) {
        await client.query(`insert into ${table} (email, password_hash, name, confirmed, joined) values ($1, $2, $3, $4, $5)`, [
          a.email.replace('flask', 'pg'),
          a.hash,
          `PG ${i}`,
          i === 0,
          new Date('2019-02-03T04:05:06Z'),
        ]);
      }
    });
    after(async () => {
      await client.query(`drop table if exists ${table}`);
      await client.end();
    });

    it('reads the rows of the query, renamed with AS, and the users sign in', async () => {
      const query = `select email, password_hash, name, confirmed as email_verified, joined as created_at from ${table} order by id`;
      const run = await cli(['import', '--from-db', process.env.TEST_POSTGRES_URL as string, '--query', query]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^imported 3, updated 0, skipped 0 already there, refused 0 of 3 rows$/m);
      const first = await service.deps.store.users.findByCanonicalEmail('pg0@example.com');
      assert.equal(first?.created_at, Date.parse('2019-02-03T04:05:06Z'));
      assert.notEqual(first?.email_confirmed_at, null);
      assert.equal((await service.deps.store.users.findByCanonicalEmail('pg1@example.com'))?.email_confirmed_at, null);
      for (const a of accounts('flask')) await signsIn({ ...a, email: a.email.replace('flask', 'pg') });
      const bad = await cli(['import', '--from-db', process.env.TEST_POSTGRES_URL as string, '--query', `select nope from ${table}`]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /the query failed/);
    });
  });
});
