import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { followLinkAndPress, linkIn, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, signedInClient, tokenOf } from '../support/flows.ts';

const PASSWORDS = ['correct horse battery', 'a brand new passphrase', 'third passphrase here'];

describe('the account lifecycle logs no token, password or cookie (S23)', () => {
  let service: TestService;
  const lines: string[] = [];
  const secrets: string[] = [...PASSWORDS];

  before(async () => {
    service = await startTestService({}, {}, { logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }) });
  });
  after(() => service.close());

  it('runs confirmation, change password, reauthentication, change email and undo with trace logging on', async () => {
    const confirmToken = await registerUnconfirmed(service, 'ada@example.com', PASSWORDS[0]!);
    secrets.push(confirmToken);
    await followLinkAndPress(new TestClient(service.url), `${service.url}/confirm-email/${confirmToken}`);
    const api = await signedInClient(service, 'ada@example.com', PASSWORDS[0]!);
    secrets.push(api.cookies.get('lk_session')!);
    assert.equal((await api.postJson('/api/password/change', { current_password: PASSWORDS[0], new_password: PASSWORDS[1] })).status, 200);
    secrets.push(api.cookies.get('lk_session')!);
    assert.equal((await api.postJson('/api/reauthenticate', { password: PASSWORDS[1] })).status, 204);
    assert.equal((await api.postJson('/api/email/change', { email: 'ada.new@example.com', password: PASSWORDS[1] })).status, 202);
    const confirm = linkIn(
      await service.smtp.waitForMail('ada.new@example.com', { subject: /Confirm your new/ }),
      '/email-change/confirm/',
    );
    const undo = linkIn(await service.smtp.waitForMail('ada@example.com', { subject: /being changed/ }), '/email-change/undo/');
    secrets.push(tokenOf(confirm), tokenOf(undo));
    await followLinkAndPress(new TestClient(service.url), confirm);
    await followLinkAndPress(new TestClient(service.url), undo);
    const reset = linkIn(await service.smtp.waitForMail('ada@example.com', { subject: /Reset your password/ }), '/reset-password/');
    secrets.push(tokenOf(reset));
    assert.equal((await apiClient(service).postJson('/api/password/reset', { token: tokenOf(reset), password: PASSWORDS[2] })).status, 200);
  });

  it('masked the token in every link path', () => {
    const urls = lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter(Boolean);
    for (const path of ['/confirm-email/[redacted]', '/email-change/confirm/[redacted]', '/email-change/undo/[redacted]']) {
      assert.ok(urls.includes(path), `${path} in ${urls.join(' ')}`);
    }
  });

  it('contains none of the secrets', () => {
    const all = lines.join('');
    for (const secret of secrets) {
      assert.ok(secret && secret.length >= 8);
      assert.ok(!all.includes(secret), `a log line contains "${secret.slice(0, 12)}..."`);
    }
  });
});
