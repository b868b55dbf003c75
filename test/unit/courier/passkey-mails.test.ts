import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMail } from '../../../src/courier/templates/render.ts';

const context = { publicUrl: new URL('https://id.example.test/auth'), productName: 'Latchkey' };
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

describe('passkey notice mails', () => {
  for (const [change, subject, sentence] of [
    ['added', /^A passkey was added to your account$/, /can now sign in to your account without a password/],
    ['removed', /^A passkey was removed from your account$/, /can no longer sign in to your account/],
  ] as const) {
    it(`${change}: names the passkey and the time, links only to PUBLIC_URL pages, escapes names`, () => {
      const mail = renderMail(
        {
          template: 'passkey-changed',
          to: 'a@x.com',
          data: { name: 'Ada <b>', change, passkeyName: 'Key <script>', changedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5) },
        },
        context,
      );
      assert.match(mail.subject, subject);
      assert.match(mail.text, sentence);
      assert.match(mail.text, /The passkey "Key <script>" was/);
      assert.match(mail.text, /on January 2, 2026 at 03:04\sAM UTC\./);
      assert.ok(!mail.html.includes('<script>'), 'the passkey name is escaped in the HTML part');
      assert.match(mail.html, /Key &lt;script&gt;/);
      assert.match(mail.html, /Hello Ada &lt;b&gt;,/);
      assert.deepEqual(hrefs(mail.html), [
        'https://id.example.test/auth/account/passkeys',
        'https://id.example.test/auth/forgot-password',
        'https://id.example.test/auth/account/activity',
      ]);
    });
  }
});
