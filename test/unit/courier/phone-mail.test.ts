import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMail } from '../../../src/courier/templates/render.ts';

const context = { publicUrl: new URL('https://auth.example.com'), productName: 'Latchkey' };

describe('the phone notice mail', () => {
  for (const change of ['added', 'removed'] as const) {
    it(`names the last two digits of the ${change} number and links to a reset from PUBLIC_URL`, () => {
      const mail = renderMail(
        { template: 'phone-changed', to: 'ada@example.com', data: { name: 'Ada', change, endsWith: '78', atMs: Date.UTC(2026, 0, 1) } },
        context,
      );
      assert.match(mail.subject, change === 'added' ? /A phone number was added/ : /phone number of your account was removed/);
      assert.match(mail.text, new RegExp(`ending in 78 was ${change}`));
      assert.match(mail.text, /https:\/\/auth\.example\.com\/forgot-password/);
      assert.match(mail.html, /ending in 78/);
    });
  }
});
