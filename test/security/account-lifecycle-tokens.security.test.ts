import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { followLinkAndPress, linkIn, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, signedInClient, tokenOf } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

/** Requests an email change and returns the confirm token (new address) and the undo token (old address). */
async function emailChangeTokens(service: TestService, from: string, to: string): Promise<{ confirm: string; undo: string }> {
  const api = await signedInClient(service, from, PASSWORD);
  assert.equal((await api.postJson('/api/email/change', { email: to, password: PASSWORD })).status, 202);
  const confirm = tokenOf(linkIn(await service.smtp.waitForMail(to, { subject: /Confirm your new/ }), '/email-change/confirm/'));
  const undo = tokenOf(linkIn(await service.smtp.waitForMail(from, { subject: /being changed/ }), '/email-change/undo/'));
  return { confirm, undo };
}

describe('confirmation, email-change and undo tokens (S1-S3, S6, S9, S10)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '1000/900' });
  });
  after(() => service.close());

  it('are 256-bit, stored only as keyed digests, and built from PUBLIC_URL whatever the Host says', async () => {
    const poisoned = apiClient(service, { host: 'evil.example', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example' });
    assert.equal((await poisoned.postJson('/api/register', { email: 'ada@example.com', password: PASSWORD })).status, 202);
    const link = linkIn(await service.smtp.waitForMail('ada@example.com', { subject: /Welcome/ }), '/confirm-email/');
    assert.ok(link.startsWith(`${service.config.publicUrl.origin}/confirm-email/`), link);
    const token = tokenOf(link);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const rows = await service.deps.store.db.selectFrom('tokens').selectAll().execute();
    assert.ok(rows.every((r) => r.digest !== token));
    assert.ok(rows.some((r) => r.digest === service.deps.digester.digest(token) && r.purpose === 'email-confirm'));
    assert.equal((await apiClient(service).postJson('/api/confirm', { token })).status, 200);
  });

  it('landing pages keep the token out of the URL and the page, with no-referrer and no-store', async () => {
    const token = await registerUnconfirmed(service, 'bob@example.com', PASSWORD);
    const browser = new TestClient(service.url);
    const opened = await browser.get(`/confirm-email/${token}`);
    assert.equal(opened.headers.get('referrer-policy'), 'no-referrer');
    const landing = await browser.get('/confirm-email');
    assert.equal(landing.headers.get('cache-control'), 'no-store');
    assert.equal(landing.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(!landing.text.includes(token));
    assert.match(landing.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });

  it('N parallel redemptions of one token: exactly one wins (confirm and email change)', async () => {
    const token = await registerUnconfirmed(service, 'race@example.com', PASSWORD);
    const confirms = await Promise.all(Array.from({ length: 8 }, () => apiClient(service).postJson('/api/confirm', { token })));
    assert.equal(confirms.filter((r) => r.status === 200).length, 1);
    assert.ok(confirms.filter((r) => r.status !== 200).every((r) => r.json().error.code === 'TOKEN_USED'));

    const { confirm } = await emailChangeTokens(service, 'race@example.com', 'race.new@example.com');
    const changes = await Promise.all(
      Array.from({ length: 8 }, () => apiClient(service).postJson('/api/email/change/confirm', { token: confirm })),
    );
    assert.equal(changes.filter((r) => r.status === 200).length, 1);
    assert.ok(changes.filter((r) => r.status !== 200).every((r) => r.json().error.code === 'TOKEN_USED'));
    assert.ok(await service.deps.store.users.findByCanonicalEmail('race.new@example.com'));
  });

  it('a token of one purpose is refused by every other', async () => {
    await registerUser(service, 'carol@example.com', PASSWORD);
    const confirmToken = await registerUnconfirmed(service, 'dave@example.com', PASSWORD);
    const { confirm, undo } = await emailChangeTokens(service, 'carol@example.com', 'carol.new@example.com');
    const api = apiClient(service);
    for (const [path, token] of [
      ['/api/confirm', confirm],
      ['/api/confirm', undo],
      ['/api/email/change/confirm', confirmToken],
      ['/api/email/change/confirm', undo],
      ['/api/email/change/undo', confirm],
      ['/api/email/change/undo', confirmToken],
      ['/api/password/reset', confirm],
    ] as const) {
      const body = path === '/api/password/reset' ? { token, password: 'an attacker passphrase' } : { token };
      const response = await api.postJson(path, body);
      assert.equal(response.json().error.code, 'TOKEN_INVALID', `${path} with another purpose's token`);
    }
    for (const bad of ['', 'x'.repeat(300), ['array'], { object: 1 }]) {
      const response = await api.postJson('/api/confirm', { token: bad });
      assert.equal(response.status, 400, JSON.stringify(bad).slice(0, 40));
    }
  });

  it('a password change kills outstanding confirmation and email-change links (S6)', async () => {
    await registerUser(service, 'erin@example.com', PASSWORD);
    const { confirm } = await emailChangeTokens(service, 'erin@example.com', 'erin.new@example.com');
    const api = await signedInClient(service, 'erin@example.com', PASSWORD);
    assert.equal(
      (await api.postJson('/api/password/change', { current_password: PASSWORD, new_password: 'a brand new passphrase' })).status,
      200,
    );
    const response = await apiClient(service).postJson('/api/email/change/confirm', { token: confirm });
    assert.equal(response.json().error.code, 'TOKEN_REVOKED');
    const page = await followLinkAndPress(new TestClient(service.url), `${service.url}/email-change/confirm/${confirm}`).catch(
      (e: Error) => e,
    );
    assert.ok(page instanceof Error && /answered 400/.test(page.message), 'the link page refuses it too');
  });

  it('a changed email kills an older change link to another address', async () => {
    await registerUser(service, 'frank@example.com', PASSWORD);
    const first = await emailChangeTokens(service, 'frank@example.com', 'frank.one@example.com');
    const second = await emailChangeTokens(service, 'frank@example.com', 'frank.two@example.com');
    assert.equal((await apiClient(service).postJson('/api/email/change/confirm', { token: second.confirm })).status, 200);
    const stale = await apiClient(service).postJson('/api/email/change/confirm', { token: first.confirm });
    assert.equal(stale.json().error.code, 'TOKEN_REVOKED');
    assert.equal(
      (await apiClient(service).postJson('/api/email/change/undo', { token: first.undo })).status,
      200,
      'the undo links survive',
    );
  });
});
