import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { registerUser, signedInClient } from '../support/flows.ts';

const ADA = 'ada@example.com';
const BOB = 'bob@example.com';
const PASSWORD = 'correct horse battery';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const HOUR = 3_600_000;

interface JsonEvent {
  time: string;
  type: string;
  userId: string | null;
  email: string | null;
  ip: string | null;
  browser: string | null;
  detail: Record<string, unknown> | null;
}

describe('latchkey audit', () => {
  const sandbox = new CliSandbox();
  let service: TestService;
  let adaId: string;
  const audit = (...args: string[]) => sandbox.run(['audit', ...args], { DATABASE_URL: service.databaseUrl });
  const json = async (...args: string[]) => {
    const result = await audit(...args, '--json');
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as JsonEvent[];
  };

  before(async () => {
    service = await startTestService();
    await registerUser(service, ADA, PASSWORD, 'Ada');
    await registerUser(service, BOB, PASSWORD, 'Bob');
    await signedInClient(service, ADA, PASSWORD);
    const ada = await service.deps.store.users.findByCanonicalEmail(ADA);
    adaId = ada?.id ?? '';
    const now = Date.now();
    const record = (type: 'password.changed' | 'login.failed', ageMs: number, userId: string | null) =>
      service.deps.store.audit.record({ type, userId, ip: '203.0.113.9', userAgent: CHROME, nowMs: now - ageMs, detail: { age: ageMs } });
    await record('password.changed', 3 * 24 * HOUR, adaId);
    await record('login.failed', 2 * HOUR, adaId);
    await record('login.failed', 30 * 24 * HOUR, null);
  });
  after(async () => {
    await service.close();
    sandbox.remove();
  });

  it('prints a header row and one row per event, newest first', async () => {
    const result = await audit('--user', ADA);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^TIME +TYPE +USER +IP +BROWSER +DETAIL$/);
    assert.ok(lines.length >= 4, result.stdout);
    const times = lines.slice(1).map((l) => l.split(/\s+/)[0] ?? '');
    for (const t of times) assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
    assert.match(result.stdout, /login\.failed +ada@example\.com +203\.0\.113\.9 +Chrome on Windows +age=7200000/);
    assert.ok(!result.stdout.includes(BOB), 'only the chosen account');
  });

  it('filters by user, type prefix and since', async () => {
    const ada = await json('--user', 'ADA@example.com');
    assert.ok(ada.length >= 4);
    assert.ok(ada.every((e) => e.userId === adaId && e.email === ADA));
    assert.ok(
      ada.some((e) => e.type === 'login.succeeded'),
      'the real sign-in is there',
    );

    const logins = await json('--type', 'login.');
    assert.ok(logins.length >= 3);
    assert.ok(logins.every((e) => e.type.startsWith('login.')));
    const anonymous = logins.find((e) => e.userId === null);
    assert.equal(anonymous?.email, null, 'an event without an account');

    const recent = await json('--user', ADA, '--since', '24h');
    assert.ok(recent.every((e) => Date.now() - Date.parse(e.time) < 24 * HOUR));
    assert.ok(recent.some((e) => e.type === 'login.failed'));
    assert.ok(!recent.some((e) => e.type === 'password.changed'), 'three days old, outside 24h');
    const week = await json('--user', ADA, '--since', '7d', '--type', 'password.');
    assert.deepEqual(
      week.map((e) => e.type),
      ['password.changed'],
    );
    assert.equal(week[0]?.browser, 'Chrome on Windows');
    assert.equal(week[0]?.ip, '203.0.113.9');
    assert.deepEqual(week[0]?.detail, { age: 3 * 24 * HOUR });
    assert.equal((await json('--since', '30m', '--type', 'password.')).length, 0);
  });

  it('pages with --limit and --offset', async () => {
    const all = await json('--limit', '1000');
    assert.ok(all.length >= 6);
    const first = await json('--limit', '2');
    const second = await json('--limit', '2', '--offset', '2');
    assert.deepEqual(first, all.slice(0, 2));
    assert.deepEqual(second, all.slice(2, 4));
    assert.deepEqual(await json('--offset', String(all.length)), []);
  });

  it('refuses an unknown user and bad options with exit code 1', async () => {
    const missing = await audit('--user', 'nobody@example.com');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no account uses nobody@example\.com/);
    assert.equal(missing.stdout, '');
    const cases: Array<[string[], RegExp]> = [
      [['--user', 'not-an-address'], /not a valid email address/],
      [['--since', '3w'], /--since must be a duration like 30m, 24h or 7d/],
      [['--since', '0h'], /--since must be a duration/],
      [['--limit', '0'], /--limit must be a whole number from 1 to 1000/],
      [['--limit', 'many'], /--limit must be a whole number/],
      [['--offset', '-1'], /--offset must be a whole number/],
      [['--type', "login'%"], /--type must be an event type/],
    ];
    for (const [args, message] of cases) {
      const result = await audit(...args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
    }
  });
});
