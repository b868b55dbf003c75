import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, signedInClient } from '../support/flows.ts';
import { runPython } from '../support/python-hashes.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const ROWS = 300;
/** Lines of the JSONL file that are refused, and why. */
const BAD_LINES: Record<number, { row: Record<string, unknown> | string; reason: RegExp }> = {
  50: { row: { email: 'md5@example.com', password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' }, reason: /unknown password hash format/ },
  100: { row: { email: 'USER1@example.com', password_hash: '' }, reason: /same address as line 1 once canonicalised/ },
  150: { row: { email: 'hostile@example.com', password_hash: `pbkdf2:sha256:1000000000$salt$${'ab'.repeat(32)}` }, reason: /iterations/ },
  200: { row: { email: 'not an address', name: 'x' }, reason: /not a valid email address/ },
  250: { row: '{"email": "broken@example.com"', reason: /not valid JSON/ },
  260: { row: { email: 'scrypt@example.com', password_hash: `scrypt:1073741824:8:1$salt$${'ab'.repeat(64)}` }, reason: /scrypt/ },
};

/** werkzeug's generate_password_hash for each password (cheap iterations but for the first rows, which use werkzeug's default). */
function werkzeugHashes(passwords: string[], cheapFrom: number): string[] | string {
  const result = runPython<string[]>(
    `
import json, sys
from werkzeug.security import generate_password_hash
data = json.load(sys.stdin)
print(json.dumps([generate_password_hash(p) if i < data["cheapFrom"] else generate_password_hash(p, method="pbkdf2:sha256:1000") for i, p in enumerate(data["passwords"])]))
`,
    { passwords, cheapFrom },
  );
  return 'missing' in result ? result.missing : result.value;
}

const passwordOf = (i: number) => `old password number ${i}`;
const emailOf = (i: number) => `user${i}@example.com`;

describe('latchkey import: users move in with their werkzeug hashes (issue 10)', () => {
  const generated = werkzeugHashes(
    Array.from({ length: ROWS }, (_, i) => passwordOf(i + 1)),
    3,
  );
  const skip = typeof generated === 'string' ? `SKIPPED: werkzeug hashes cannot be generated here (${generated})` : undefined;
  if (skip) console.log(skip);
  const sandbox = new CliSandbox();
  let service: TestService;
  const cli = (...args: string[]) => sandbox.run(args, { DATABASE_URL: service.databaseUrl });
  const countUsers = async () => (await service.deps.store.users.list({ limit: 10_000, offset: 0 })).length;
  const hashOf = async (email: string) => (await service.deps.store.users.findByCanonicalEmail(email))?.password_hash;
  const jsonl = join(sandbox.dir, 'users.jsonl');

  before(async () => {
    service = await startTestService({ METRICS_TOKEN });
    if (typeof generated === 'string') return;
    const lines = generated.map((hash, i) => {
      const line = i + 1;
      const bad = BAD_LINES[line];
      if (bad) return typeof bad.row === 'string' ? bad.row : JSON.stringify(bad.row);
      return JSON.stringify({
        email: emailOf(line),
        password_hash: hash,
        name: `User ${line}`,
        email_verified: line % 2 === 1,
        created_at: '2021-05-06T07:08:09Z',
      });
    });
    writeFileSync(jsonl, `${lines.join('\n')}\n`);
  });
  after(async () => {
    await service.close();
    sandbox.remove();
  });

  it('--dry-run checks every line, names the refused ones by line number, and writes nothing', { skip }, async () => {
    const dry = await cli('import', jsonl, '--dry-run');
    assert.equal(dry.code, 1, dry.stderr);
    const good = ROWS - Object.keys(BAD_LINES).length;
    assert.match(
      dry.stdout,
      new RegExp(
        `^dry run \\(nothing was written\\): would import ${good}, update 0, skip 0 already there; refused 6 of ${ROWS} lines$`,
        'm',
      ),
    );
    for (const [line, bad] of Object.entries(BAD_LINES)) {
      assert.match(dry.stdout, new RegExp(`^refused line ${line}: .*${bad.reason.source}`, 'm'), `line ${line}`);
    }
    assert.equal(await countUsers(), 0);
  });

  it('imports every good line in batches, with a progress bar on stderr, and exits 1 because lines were refused', { skip }, async () => {
    const run = await cli('import', jsonl, '--batch-size', '64');
    assert.equal(run.code, 1, run.stderr);
    const good = ROWS - Object.keys(BAD_LINES).length;
    assert.match(run.stdout, new RegExp(`^imported ${good}, updated 0, skipped 0 already there, refused 6 of ${ROWS} lines$`, 'm'));
    assert.match(run.stderr, /importing \[.*\] \d+\/300 rows \| \d+ rows\/s \| ETA/);
    assert.equal(await countUsers(), good);
    assert.equal(await hashOf('hostile@example.com'), undefined, 'a hostile hash is never stored');
    const user = await service.deps.store.users.findByCanonicalEmail('user1@example.com');
    assert.equal(user?.name, 'User 1');
    assert.equal(user?.created_at, Date.parse('2021-05-06T07:08:09Z'));
    assert.notEqual(user?.email_confirmed_at, null);
    assert.match(user?.password_hash ?? '', /^pbkdf2:sha256:\d+\$/);
  });

  it('a second run changes nothing; --allow-refused makes a partial import exit 0', { skip }, async () => {
    const before = await service.deps.store.users.findByCanonicalEmail('user7@example.com');
    const again = await cli('import', jsonl, '--allow-refused');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^imported 0, updated 0, skipped 294 already there, refused 6 of 300 lines$/m);
    assert.deepEqual(await service.deps.store.users.findByCanonicalEmail('user7@example.com'), before);
    const update = await cli('import', jsonl, '--update', '--allow-refused');
    assert.match(update.stdout, /^imported 0, updated 0, skipped 294/m, 'nothing differs, so --update changes nothing either');
  });

  it('users sign in with their old password, which is replaced by Argon2id in the same step; a wrong one is refused', {
    skip,
  }, async () => {
    const shown = await cli('users', 'show', 'user1@example.com');
    assert.match(shown.stdout, /^password hash: +werkzeug pbkdf2:sha256 \(legacy/m);
    const metricsBefore = await new TestClient(service.url, { authorization: `Bearer ${METRICS_TOKEN}` }).get('/metrics');
    assert.match(metricsBefore.text, /^latchkey_legacy_password_hashes 294$/m);

    const wrong = await apiClient(service).postJson('/api/login', { email: 'user1@example.com', password: 'not the old password' });
    assert.equal(wrong.status, 401);
    assert.match((await hashOf('user1@example.com')) ?? '', /^pbkdf2:/);

    await signedInClient(service, 'USER1@example.com', passwordOf(1));
    assert.match((await hashOf('user1@example.com')) ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.match((await cli('users', 'show', 'user1@example.com')).stdout, /^password hash: +argon2id \(Latchkey\)$/m);
    await signedInClient(service, 'user1@example.com', passwordOf(1));
    const metricsAfter = await new TestClient(service.url, { authorization: `Bearer ${METRICS_TOKEN}` }).get('/metrics');
    assert.match(metricsAfter.text, /^latchkey_legacy_password_hashes 293$/m);

    // An unconfirmed imported account is upgraded too (the right password was given), then told to confirm.
    const unconfirmed = await apiClient(service).postJson('/api/login', { email: 'user2@example.com', password: passwordOf(2) });
    assert.equal(unconfirmed.status, 403);
    assert.match((await hashOf('user2@example.com')) ?? '', /^\$argon2id\$/);
  });

  it('--update changes only what differs, and never replaces a password set in Latchkey', { skip }, async () => {
    const file = join(sandbox.dir, 'update.jsonl');
    const [hash3] = generated as string[];
    writeFileSync(
      file,
      [
        JSON.stringify({ email: 'user1@example.com', password_hash: hash3, name: 'Ada Renamed' }),
        JSON.stringify({ email: 'user3@example.com', name: 'User Three', disabled: true }),
      ].join('\n'),
    );
    const updated = await cli('import', file, '--update');
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /^imported 0, updated 2, skipped 0/m);
    const user1 = await service.deps.store.users.findByCanonicalEmail('user1@example.com');
    assert.equal(user1?.name, 'Ada Renamed');
    assert.match(user1?.password_hash ?? '', /^\$argon2id\$/, 'the Argon2id hash set at sign-in stays');
    assert.notEqual((await service.deps.store.users.findByCanonicalEmail('user3@example.com'))?.disabled_at, null);
    const again = await cli('import', file, '--update');
    assert.match(again.stdout, /^imported 0, updated 0, skipped 2/m);
  });

  it('reads CSV with quoted fields (commas, quotes, line breaks) and names refused lines by the line they start on', async () => {
    const file = join(sandbox.dir, 'users.csv');
    writeFileSync(
      file,
      [
        'email,password_hash,name,email_verified,disabled',
        'csv1@example.com,,"Smith, ""Ann""",true,false',
        'csv2@example.com,,"Two',
        'lines and ""quotes""",false,',
        'not-an-address,,x,,',
        'csv1@EXAMPLE.com,,dup,,',
        'csv3@example.com,{SSHA}abc,x,,',
      ].join('\r\n'),
    );
    const run = await cli('import', file);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^imported 1, updated 0, skipped 0 already there, refused 4 of 5 lines$/m);
    // The record that starts on line 3 spans two lines: the next ones are named by their own line.
    assert.match(run.stdout, /^refused line 3: name must be at most 100 printable characters$/m);
    assert.match(run.stdout, /^refused line 5: "not-an-address" is not a valid email address$/m);
    assert.match(run.stdout, /^refused line 6: csv1@EXAMPLE\.com is the same address as line 2 once canonicalised$/m);
    assert.match(run.stdout, /^refused line 7: unknown password hash format$/m);
    assert.equal((await service.deps.store.users.findByCanonicalEmail('csv1@example.com'))?.name, 'Smith, "Ann"');
    assert.equal(await service.deps.store.users.findByCanonicalEmail('csv2@example.com'), undefined);
  });

  it('--notify queues a "your account has moved" mail to each new account, sent by the courier', async () => {
    const file = join(sandbox.dir, 'notify.jsonl');
    writeFileSync(file, `${JSON.stringify({ email: 'moved@example.com', name: 'Moved', email_verified: true })}\n`);
    const run = await cli('import', file, '--notify');
    assert.equal(run.code, 0, run.stderr);
    const mail = await service.smtp.waitForMail('moved@example.com', { subject: /Your account has moved/ });
    assert.match(mail.parsed.text ?? '', /Hello Moved/);
    assert.match(mail.parsed.text ?? '', new RegExp(`${service.config.publicUrl.origin}/forgot-password`));
  });

  it('refuses bad invocations with exit 1 and a message', async () => {
    assert.match((await cli('import')).stderr, /give either a FILE or --from-db/);
    assert.match((await cli('import', join(sandbox.dir, 'missing.jsonl'))).stderr, /no such file/);
    assert.match((await cli('import', join(sandbox.dir, 'users.txt'))).stderr, /no such file|cannot tell the format/);
    const both = await cli('import', jsonl, '--fst-password-salt', 'a', '--devise-pepper', 'b');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /do not go together/);
  });
});
