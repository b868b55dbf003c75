import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMail } from '../../../src/courier/templates/render.ts';

const TOKEN = 'B'.repeat(43);
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

describe('the sign-in mail', () => {
  it('carries exactly PUBLIC_URL/login/link/<token>, the code and their common lifetime; the name is escaped', () => {
    const context = { publicUrl: new URL('https://id.example.test'), productName: 'Latchkey' };
    const mail = renderMail(
      { template: 'login-link', to: 'a@x.com', data: { name: 'Ada <b>', token: TOKEN, code: '01234567', expiresInSeconds: 900 } },
      context,
    );
    assert.equal(mail.subject, 'Sign in to Latchkey');
    assert.match(mail.text, /^Hello Ada <b>,\n/);
    assert.match(mail.text, new RegExp(`\\nhttps://id\\.example\\.test/login/link/${TOKEN}\\n`));
    assert.match(mail.text, /Your code is: 01234567\n/);
    assert.match(mail.text, /The link and the code expire in 15 minutes and work once; using one cancels the other\./);
    assert.deepEqual(hrefs(mail.html), [`https://id.example.test/login/link/${TOKEN}`]);
    assert.match(mail.html, /Hello Ada &lt;b&gt;,/);
  });

  it("keeps PUBLIC_URL's path and the return_to of the request", () => {
    const context = { publicUrl: new URL('https://example.test/auth'), productName: 'Latchkey' };
    const mail = renderMail(
      {
        template: 'login-link',
        to: 'a@x.com',
        data: { name: null, token: TOKEN, code: '01234567', expiresInSeconds: 900, returnTo: '/account?x=1&y=2' },
      },
      context,
    );
    assert.match(mail.text, /^Hello,\n/);
    assert.deepEqual(hrefs(mail.html), [`https://example.test/auth/login/link/${TOKEN}?return_to=%2Faccount%3Fx%3D1%26y%3D2`]);
  });
});
