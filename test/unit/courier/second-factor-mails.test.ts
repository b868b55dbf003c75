import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMail } from '../../../src/courier/templates/render.ts';
import type { SecondFactorChange } from '../../../src/courier/templates/types.ts';

const context = { publicUrl: new URL('https://id.example.test/auth'), productName: 'Latchkey' };
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

describe('two-step sign-in notice mails', () => {
  const cases: Array<[SecondFactorChange, RegExp, RegExp]> = [
    ['enabled', /^Two-step sign-in was turned on$/, /two-step sign-in was turned on with an authenticator app/],
    ['recovery-codes-regenerated', /^New recovery codes were made$/, /the earlier ones no longer work/],
    ['disabled', /^Two-step sign-in was turned off$/, /two-step sign-in was turned off for your Latchkey account/],
    ['reset-by-admin', /^Two-step sign-in was turned off by an administrator$/, /an administrator turned two-step sign-in off/],
  ];
  for (const [change, subject, sentence] of cases) {
    it(`${change}: says what and when, links only to PUBLIC_URL pages, escapes the name`, () => {
      const mail = renderMail(
        {
          template: 'second-factor-changed',
          to: 'a@x.com',
          data: { name: 'Ada <b>', change, changedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5) },
        },
        context,
      );
      assert.match(mail.subject, subject);
      assert.match(mail.text, sentence);
      assert.match(mail.text, /^On January 2, 2026 at 03:04\sAM UTC (two-step|new|an administrator) /m);
      assert.deepEqual(hrefs(mail.html), [
        'https://id.example.test/auth/account/two-factor',
        'https://id.example.test/auth/forgot-password',
        'https://id.example.test/auth/account/activity',
      ]);
      assert.match(mail.html, /Hello Ada &lt;b&gt;,/);
    });
  }
});
