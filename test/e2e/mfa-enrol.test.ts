import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { apiClient, registerUser, signedInClient } from '../support/flows.ts';
import { totpCode } from '../support/totp.ts';

const PASSWORD = 'correct horse battery';
const RECOVERY_CODE = /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/;

describe('two-step sign-in: turning an authenticator app on and off through the API', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  before(async () => {
    service = await startTestService({}, { clock });
    for (const email of ['ada@example.com', 'bob@example.com', 'cy@example.com', 'dee@example.com'])
      await registerUser(service, email, PASSWORD, 'Someone');
  });
  after(() => service.close());

  /** Ada's authenticator, enrolled by the enrolment test and turned off by a later one. */
  let adaSecret = '';
  const userIdOf = async (api: TestClient) => (await api.get('/api/session')).json().user.id as string;
  const auditTypes = async (userId: string) => (await service.deps.store.audit.listForUser(userId, 200)).map((e) => e.type);
  /** Sets up and confirms an authenticator for a signed-in client; returns the secret and the recovery codes. */
  const enrol = async (api: TestClient) => {
    const setup = await api.postJson('/api/mfa/totp/setup', {});
    assert.equal(setup.status, 200, setup.text);
    const { secret } = setup.json();
    const confirmed = await api.postJson('/api/mfa/totp/confirm', { code: totpCode(secret, clock.nowMs()) });
    assert.equal(confirmed.status, 200, confirmed.text);
    return { secret: secret as string, recoveryCodes: confirmed.json().recoveryCodes as string[] };
  };

  it('needs a session: every endpoint answers 401 NOT_AUTHENTICATED without one', async () => {
    const anonymous = apiClient(service);
    const answers = [
      await anonymous.get('/api/mfa'),
      await anonymous.postJson('/api/mfa/totp/setup', {}),
      await anonymous.postJson('/api/mfa/totp/confirm', { code: '123456' }),
      await anonymous.postJson('/api/mfa/recovery-codes', {}),
      await anonymous.request('DELETE', '/api/mfa/totp', {
        body: JSON.stringify({ code: '123456' }),
        headers: { 'content-type': 'application/json' },
      }),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 401);
      assert.equal(answer.json().error.code, 'NOT_AUTHENTICATED');
    }
  });

  it('enrols: setup needs a recent authentication, a wrong code is CODE_INVALID, the right one gives 10 recovery codes once', async () => {
    const api = await signedInClient(service, 'ada@example.com', PASSWORD);
    const userId = await userIdOf(api);
    assert.deepEqual((await api.get('/api/mfa')).json(), { totp: false, recoveryCodesLeft: 0, methods: [] });

    clock.advanceSeconds(601);
    const stale = await api.postJson('/api/mfa/totp/setup', {});
    assert.equal(stale.status, 403, 'a sign-in older than RECENT_AUTH_TTL is not enough');
    assert.equal(stale.json().error.code, 'REAUTH_REQUIRED');
    assert.equal((await api.postJson('/api/reauthenticate', { password: PASSWORD })).status, 204);

    const setup = await api.request('POST', '/api/mfa/totp/setup');
    assert.equal(setup.status, 200, `the body is optional: ${setup.text}`);
    const { secret, otpauthUrl } = setup.json();
    assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits, base32');
    const url = new URL(otpauthUrl);
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.host, 'totp');
    assert.equal(url.searchParams.get('secret'), secret);
    assert.equal(url.searchParams.get('issuer'), 'Latchkey');
    assert.match(decodeURIComponent(url.pathname), /ada@example\.com/);
    assert.equal((await api.get('/api/mfa')).json().totp, false, 'nothing is on before a code confirms it');

    const right = totpCode(secret, clock.nowMs());
    const wrong = right === '000000' ? '111111' : '000000';
    const refused = await api.postJson('/api/mfa/totp/confirm', { code: wrong });
    assert.equal(refused.status, 400);
    assert.equal(refused.json().error.code, 'CODE_INVALID');
    assert.equal(
      (await api.postJson('/api/mfa/totp/confirm', { code: totpCode(secret, clock.nowMs() + 120_000) })).status,
      400,
      'four steps ahead is too far',
    );

    const confirmed = await api.postJson('/api/mfa/totp/confirm', { code: right });
    assert.equal(confirmed.status, 200, confirmed.text);
    adaSecret = secret;
    const { recoveryCodes } = confirmed.json();
    assert.equal(recoveryCodes.length, 10);
    for (const code of recoveryCodes) assert.match(code, RECOVERY_CODE);
    assert.equal(new Set(recoveryCodes).size, 10);
    assert.deepEqual((await api.get('/api/mfa')).json(), {
      totp: true,
      recoveryCodesLeft: 10,
      methods: ['totp', 'recovery_code', 'email_code'],
    });

    const again = await api.postJson('/api/mfa/totp/confirm', { code: totpCode(secret, clock.nowMs() + 30_000) });
    assert.equal(again.json().error.code, 'TOTP_ALREADY_ENABLED', 'the codes are never shown again');
    const another = await api.postJson('/api/mfa/totp/setup', {});
    assert.equal(another.status, 409);
    assert.equal(another.json().error.code, 'TOTP_ALREADY_ENABLED');

    const notice = await service.smtp.waitForMail('ada@example.com', { subject: /Two-step sign-in was turned on/ });
    assert.match(notice.parsed.text ?? '', /turned on with an authenticator app/);
    assert.doesNotMatch(notice.parsed.text ?? '', new RegExp(`${secret}|${recoveryCodes[0]}`), 'no secret in the notice');
    assert.ok((await auditTypes(userId)).includes('mfa.totp_enabled'));
  });

  it('new recovery codes replace every old one, with a notice and an audit event', async () => {
    const api = await signedInClient(service, 'bob@example.com', PASSWORD);
    const userId = await userIdOf(api);
    assert.equal((await api.postJson('/api/mfa/recovery-codes', {})).json().error.code, 'TOTP_NOT_ENABLED');
    const { recoveryCodes: old } = await enrol(api);
    const made = await api.postJson('/api/mfa/recovery-codes', {});
    assert.equal(made.status, 200, made.text);
    const fresh: string[] = made.json().recoveryCodes;
    assert.equal(fresh.length, 10);
    assert.equal(fresh.filter((code) => old.includes(code)).length, 0);
    const store = service.deps.store;
    for (const code of old) assert.equal(await service.deps.mfa.recoveryCodes.use(store, userId, code), false, 'an old code is dead');
    assert.equal(await service.deps.mfa.recoveryCodes.use(store, userId, (fresh[0] as string).toUpperCase()), true);
    assert.equal((await api.get('/api/mfa')).json().recoveryCodesLeft, 9);
    await service.smtp.waitForMail('bob@example.com', { subject: /New recovery codes were made/ });
    assert.ok((await auditTypes(userId)).includes('mfa.recovery_codes_regenerated'));

    clock.advanceSeconds(601);
    assert.equal((await api.postJson('/api/mfa/recovery-codes', {})).json().error.code, 'REAUTH_REQUIRED');
    const withPassword = await api.postJson('/api/mfa/recovery-codes', { password: PASSWORD });
    assert.equal(withPassword.status, 200, 'the password in the body counts as a recent authentication');
  });

  it('turning off needs a recent authentication and a current code (no replay), then removes every factor', async () => {
    // Ada has a second factor now: the password step, then a code from her authenticator.
    const api = apiClient(service);
    const first = await api.postJson('/api/login', { email: 'ada@example.com', password: PASSWORD });
    assert.equal(first.json().secondFactorRequired, true);
    const secret = adaSecret;
    clock.advanceSeconds(30);
    const second = await api.postJson('/api/login/second-factor', { method: 'totp', code: totpCode(secret, clock.nowMs()) });
    assert.equal(second.status, 200, second.text);
    clock.advanceSeconds(30);
    const userId = await userIdOf(api);
    const remove = (body: unknown) =>
      api.request('DELETE', '/api/mfa/totp', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

    clock.advanceSeconds(601);
    const stale = await remove({ code: totpCode(secret, clock.nowMs()) });
    assert.equal(stale.status, 403);
    assert.equal(stale.json().error.code, 'REAUTH_REQUIRED');
    assert.equal(
      (await remove({ code: totpCode(secret, clock.nowMs()), password: 'not it' })).json().error.code,
      'CURRENT_PASSWORD_INCORRECT',
    );
    assert.equal((await api.postJson('/api/reauthenticate', { password: PASSWORD })).status, 204);
    assert.equal((await remove({})).status, 400, 'a code is required');
    const right = totpCode(secret, clock.nowMs());
    const wrong = await remove({ code: right === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().error.code, 'CODE_INVALID');
    assert.equal((await remove({ code: 'abcd-efgh-jkmn' })).json().error.code, 'CODE_INVALID', 'not one of the recovery codes');
    assert.equal((await api.get('/api/mfa')).json().totp, true);

    const nowMs = clock.nowMs();
    const device = 'd'.repeat(64);
    await service.deps.store.pendingLogins.rememberDevice({
      id: randomUUID(),
      digest: device,
      userId,
      nowMs,
      expiresAtMs: nowMs + 86_400_000,
    });
    const off = await remove({ code: right });
    assert.equal(off.status, 204, off.text);
    assert.deepEqual((await api.get('/api/mfa')).json(), { totp: false, recoveryCodesLeft: 0, methods: [] });
    assert.equal(await service.deps.store.mfa.findTotp(userId), undefined, 'the sealed secret is gone');
    assert.equal(await service.deps.store.mfa.countUnusedRecoveryCodes(userId), 0);
    assert.equal(
      await service.deps.store.pendingLogins.findRememberedDevice(userId, [device], nowMs),
      undefined,
      'remembered browsers forgotten',
    );
    assert.equal((await remove({ code: right })).json().error.code, 'TOTP_NOT_ENABLED');
    await service.smtp.waitForMail('ada@example.com', { subject: /Two-step sign-in was turned off$/ });
    assert.ok((await auditTypes(userId)).includes('mfa.totp_disabled'));
    assert.equal((await api.get('/api/session')).status, 200, 'the session stays');
  });

  it('turning off with a recovery code uses it up; a code seen once is not accepted twice', async () => {
    const api = await signedInClient(service, 'cy@example.com', PASSWORD);
    const userId = await userIdOf(api);
    const { secret, recoveryCodes } = await enrol(api);
    const remove = (code: string) =>
      api.request('DELETE', '/api/mfa/totp', { body: JSON.stringify({ code }), headers: { 'content-type': 'application/json' } });
    const confirmCode = totpCode(secret, clock.nowMs());
    assert.equal((await remove(confirmCode)).json().error.code, 'CODE_INVALID', 'the confirming code (its time step) is used');
    assert.equal((await remove(` ${recoveryCodes[3]?.toUpperCase()} `)).status, 204);
    const events = await service.deps.store.audit.listForUser(userId, 200);
    const disabled = events.find((e) => e.type === 'mfa.totp_disabled');
    assert.match(String(disabled?.detail), /recovery_code/);
  });

  it('wrong codes count against the session and the account: parallel guesses pass at most the limit', async () => {
    const api = await signedInClient(service, 'cy@example.com', PASSWORD);
    const { secret } = await enrol(api);
    const live = new Set([-30_000, 0, 30_000].map((offset) => totpCode(secret, clock.nowMs() + offset)));
    const wrongCodes = Array.from({ length: 40 }, (_, i) => String(100000 + i))
      .filter((code) => !live.has(code))
      .slice(0, 20);
    const guesses = await Promise.all(
      wrongCodes.map((code) =>
        api.request('DELETE', '/api/mfa/totp', { body: JSON.stringify({ code }), headers: { 'content-type': 'application/json' } }),
      ),
    );
    const statuses = guesses.map((g) => g.status);
    assert.equal(statuses.filter((s) => s === 400).length, 10, `RATE_LIMIT_REAUTH_SESSION (10) codes checked: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 10);
    clock.advanceSeconds(30);
    const limited = await api.request('DELETE', '/api/mfa/totp', {
      body: JSON.stringify({ code: totpCode(secret, clock.nowMs()) }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(limited.status, 429, 'even the right code waits');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  it('refuses unknown fields and codes that are not strings', async () => {
    const api = await signedInClient(service, 'dee@example.com', PASSWORD);
    assert.equal((await api.get('/api/session')).status, 200);
    assert.equal((await api.postJson('/api/mfa/totp/setup', { secret: 'MINE' })).status, 400);
    assert.equal((await api.postJson('/api/mfa/totp/confirm', { code: ['123456'] })).status, 400);
    assert.equal((await api.postJson('/api/mfa/totp/confirm', { code: 123456 })).status, 400);
  });
});
