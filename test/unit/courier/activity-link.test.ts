import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMail } from '../../../src/courier/templates/render.ts';
import type { MailMessage } from '../../../src/courier/templates/types.ts';

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const to = 'ada@example.com';
const name = 'Ada';

/** Every security notice, one message each. */
const NOTICES: MailMessage[] = [
  { template: 'password-changed', to, data: { name, changedAtMs: AT } },
  { template: 'password-set', to, data: { name, setAtMs: AT } },
  {
    template: 'email-change-requested',
    to,
    data: { name, newEmail: 'new@example.com', undoToken: 'U'.repeat(43), expiresInSeconds: 86_400 },
  },
  { template: 'phone-changed', to, data: { name, change: 'added', endsWith: '42', atMs: AT } },
  { template: 'phone-changed', to, data: { name, change: 'removed', endsWith: '42', atMs: AT } },
  { template: 'second-factor-changed', to, data: { name, change: 'enabled', changedAtMs: AT } },
  { template: 'second-factor-changed', to, data: { name, change: 'reset-by-admin', changedAtMs: AT } },
  { template: 'passkey-changed', to, data: { name, change: 'added', passkeyName: 'Laptop', changedAtMs: AT } },
  { template: 'recovery-code-used', to, data: { name, remaining: 4, usedAtMs: AT } },
];

describe('security notices link to the recent security activity page', () => {
  for (const publicUrl of ['https://id.example.test', 'https://example.test/auth/']) {
    const context = { publicUrl: new URL(publicUrl), productName: 'Latchkey' };
    const expected = `${publicUrl.replace(/\/$/, '')}/account/activity`;
    for (const message of NOTICES) {
      it(`${message.template} (${JSON.stringify(message.data).slice(0, 40)}) under ${publicUrl}`, () => {
        const mail = renderMail(message, context);
        assert.ok(mail.text.includes(`See your recent security activity:\n${expected}\n`), mail.text);
        assert.ok(mail.html.includes(`<a href="${expected}">See your recent security activity</a>`), mail.html);
      });
    }
  }

  it('mails that are not notices of a change do not carry it', () => {
    const context = { publicUrl: new URL('https://id.example.test'), productName: 'Latchkey' };
    const mail = renderMail({ template: 'login-code', to, data: { name, code: '123456', expiresInSeconds: 600 } }, context);
    assert.ok(!mail.text.includes('/account/activity'));
  });
});
