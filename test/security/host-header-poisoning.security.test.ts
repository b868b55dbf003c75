import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { registerUser } from '../support/flows.ts';
import { rawRequest } from '../support/http.ts';
import { resetLinkIn } from '../support/smtp.ts';

const PUBLIC_URL = 'https://id.example.test';
const EMAIL = 'ada@example.com';
const EVIL = 'evil.example';

describe('emailed links come from PUBLIC_URL only (S9)', () => {
  let service: TestService;
  before(async () => {
    // TRUST_PROXY=loopback makes Fastify believe forwarding headers from the test client: even then,
    // no header may reach a link.
    service = await startTestService({ PUBLIC_URL, TRUST_PROXY: 'loopback', RATE_LIMIT_FORGOT_EMAIL: '100/3600' });
    await registerUser(service, EMAIL, 'correct horse battery');
  });
  after(() => service.close());

  const attacks: Array<{ name: string; target?: string; headers: Record<string, string> }> = [
    { name: 'Host', headers: { host: EVIL } },
    { name: 'Host with port', headers: { host: `${EVIL}:8443` } },
    { name: 'X-Forwarded-Host', headers: { 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'http' } },
    { name: 'X-Forwarded-Host list', headers: { 'x-forwarded-host': `${EVIL}, id.example.test` } },
    { name: 'X-Forwarded-Server and X-Host', headers: { 'x-forwarded-server': EVIL, 'x-host': EVIL, 'x-original-host': EVIL } },
    { name: 'Forwarded', headers: { forwarded: `for=192.0.2.1;host=${EVIL};proto=http` } },
    { name: 'absolute request URI', target: `http://${EVIL}/api/password/forgot`, headers: { host: EVIL } },
    { name: 'absolute URI with a clean Host', target: `http://${EVIL}/api/password/forgot`, headers: {} },
    {
      name: 'everything at once',
      target: `http://${EVIL}/api/password/forgot`,
      headers: { host: EVIL, 'x-forwarded-host': EVIL, forwarded: `host=${EVIL}` },
    },
  ];

  for (const attack of attacks) {
    it(`${attack.name} never changes the link`, async () => {
      const response = await rawRequest(service.url, {
        method: 'POST',
        target: attack.target ?? '/api/password/forgot',
        headers: { 'content-type': 'application/json', ...attack.headers },
        body: JSON.stringify({ email: EMAIL }),
      });
      assert.equal(response.status, 202, response.text);
      const mail = await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
      assert.match(resetLinkIn(mail), new RegExp(`^${PUBLIC_URL}/reset-password/[A-Za-z0-9_-]{43}$`));
      assert.ok(!mail.raw.includes(EVIL), 'the attacker host appears nowhere in the mail');
      const hrefs = [...(mail.parsed.html ?? '').matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(hrefs.length > 0);
      for (const href of hrefs) assert.ok(href?.startsWith(`${PUBLIC_URL}/`), href);
    });
  }
});
