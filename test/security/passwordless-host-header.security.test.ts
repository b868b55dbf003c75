import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { registerUser } from '../support/flows.ts';
import { rawRequest } from '../support/http.ts';

const PASSWORD = 'correct horse battery';

describe('the sign-in mail links to PUBLIC_URL only, whatever the request says (S9)', () => {
  const PUBLIC_URL = 'https://id.example.test';
  const EVIL = 'evil.example';
  let service: TestService;
  before(async () => {
    // TRUST_PROXY=loopback: Fastify believes forwarding headers from the test client; no header may reach a link anyway.
    service = await startTestService({ PUBLIC_URL, TRUST_PROXY: 'loopback', RATE_LIMIT_FORGOT_EMAIL: '100/3600' });
    await registerUser(service, 'ada@example.com', PASSWORD);
  });
  after(() => service.close());

  for (const attack of [
    { name: 'Host', target: '/api/login/email', headers: { host: EVIL } },
    {
      name: 'X-Forwarded-Host and Forwarded',
      target: '/api/login/email',
      headers: { 'x-forwarded-host': EVIL, forwarded: `host=${EVIL}` },
    },
    { name: 'an absolute request URI', target: `http://${EVIL}/api/login/email`, headers: { host: EVIL } },
  ] as Array<{ name: string; target: string; headers: Record<string, string> }>) {
    it(`${attack.name} never changes the link`, async () => {
      const response = await rawRequest(service.url, {
        method: 'POST',
        target: attack.target,
        headers: { 'content-type': 'application/json', ...attack.headers },
        body: JSON.stringify({ email: 'ada@example.com' }),
      });
      assert.equal(response.status, 202, response.text);
      const mail = await service.smtp.waitForMail('ada@example.com', { subject: /^Sign in to/ });
      assert.match(mail.parsed.text ?? '', new RegExp(`${PUBLIC_URL}/login/link/[A-Za-z0-9_-]{43}\\n`));
      assert.ok(!mail.raw.includes(EVIL), 'the attacker host appears nowhere in the mail');
      const hrefs = [...(mail.parsed.html ?? '').matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(hrefs.length > 0);
      for (const href of hrefs) assert.ok(href?.startsWith(`${PUBLIC_URL}/login/link/`), href);
    });
  }
});
