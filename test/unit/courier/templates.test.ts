import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration } from '../../../src/courier/templates/layout.ts';
import { renderMail } from '../../../src/courier/templates/render.ts';
import type { MailMessage } from '../../../src/courier/templates/types.ts';

const context = { publicUrl: new URL('https://id.example.test'), productName: 'Latchkey' };
const TOKEN = 'A'.repeat(43);
const NAME = 'Ada <b>"Lovelace"</b>';

const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);

describe('mail templates', () => {
  it('say how long a link lasts in words', () => {
    assert.equal(formatDuration(3600), '1 hour');
    assert.equal(formatDuration(7200), '2 hours');
    assert.equal(formatDuration(900), '15 minutes');
    assert.equal(formatDuration(60), '1 minute');
    assert.equal(formatDuration(86_400), '1 day');
    assert.equal(formatDuration(90), '90 seconds');
  });

  it('reset link: text and HTML carry exactly PUBLIC_URL/reset-password/<token> and the expiry', () => {
    const mail = renderMail(
      { template: 'password-reset', to: 'a@x.com', data: { name: NAME, token: TOKEN, expiresInSeconds: 3600 } },
      context,
    );
    assert.equal(mail.subject, 'Reset your password');
    assert.match(mail.text, new RegExp(`\\nhttps://id\\.example\\.test/reset-password/${TOKEN}\\n`));
    assert.match(mail.text, /The link expires in 1 hour and works once\./);
    assert.deepEqual(hrefs(mail.html), [`https://id.example.test/reset-password/${TOKEN}`]);
    assert.match(mail.html, /Ada &lt;b&gt;&quot;Lovelace&quot;&lt;\/b&gt;/, 'the name is escaped in HTML');
    assert.doesNotMatch(mail.html, /<b>"Lovelace"<\/b>/);
  });

  it('an invitation has its own words and lifetime, not the reset text', () => {
    const mail = renderMail(
      { template: 'account-invite', to: 'a@x.com', data: { name: null, token: TOKEN, expiresInSeconds: 7 * 86_400 } },
      context,
    );
    assert.equal(mail.subject, 'Your new account on Latchkey');
    assert.match(mail.text, /^Hello,\n/);
    assert.match(mail.text, /An administrator created an account for you on Latchkey\. It has no password yet/);
    assert.match(mail.text, /Choose your password/);
    assert.match(mail.text, /The link works once, for 7 days\./);
    assert.doesNotMatch(mail.text, /Reset your password|asked to reset|stays as it is/i, 'nothing of the reset mail');
    assert.deepEqual(hrefs(mail.html), [`https://id.example.test/reset-password/${TOKEN}`]);
    // A reset message queued as an invitation before this template existed reads as one too.
    const queued = renderMail(
      { template: 'password-reset', to: 'a@x.com', data: { name: null, token: TOKEN, expiresInSeconds: 86_400, invited: true } },
      context,
    );
    assert.equal(queued.subject, 'Your new account on Latchkey');
    assert.match(queued.text, /for 1 day\./);
  });

  it('password changed, welcome and account-exists mails link only to PUBLIC_URL pages', () => {
    const messages: MailMessage[] = [
      { template: 'password-changed', to: 'a@x.com', data: { name: NAME, changedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5) } },
      { template: 'welcome', to: 'a@x.com', data: { name: NAME } },
      { template: 'account-exists', to: 'a@x.com', data: { name: null } },
    ];
    const expected = [
      ['Your password was changed', ['https://id.example.test/forgot-password', 'https://id.example.test/account/activity']],
      ['Welcome to Latchkey', ['https://id.example.test/login']],
      ['You already have an account', ['https://id.example.test/login', 'https://id.example.test/forgot-password']],
    ] as const;
    for (const [i, message] of messages.entries()) {
      const mail = renderMail(message, context);
      const [subject, links] = expected[i] as (typeof expected)[number];
      assert.equal(mail.subject, subject);
      assert.deepEqual(hrefs(mail.html), links);
      for (const link of links) assert.ok(mail.text.includes(link), `${subject}: ${link} in text`);
      assert.doesNotMatch(mail.html, /<b>/);
    }
    assert.match(renderMail(messages[0] as MailMessage, context).text, /changed on January 2, 2026 at 03:04\sAM UTC\. /);
  });
});
