import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { insertUser } from '../support/database.ts';
import { apiClient, eventually } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';

/** An IPv4 address of this machine that is not loopback (a connection to it comes from it), if any. */
function nonLoopbackAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const WARNING = /the dev mailbox is on while listening on/;

describe('the dev mailbox answers clients on this machine only, judged from the socket', () => {
  const outside = nonLoopbackAddress();
  const logs = new LogCapture();
  let service: TestService;
  let port: number;
  before(async () => {
    // Listening on every address, trusting any proxy: X-Forwarded-For would make request.ip anything.
    service = await startTestService({ SMTP_URL: '', HOST: '0.0.0.0', TRUST_PROXY: '1', LOG_LEVEL: 'info' }, {}, { logDestination: logs });
    port = new URL(service.url).port ? Number(new URL(service.url).port) : 80;
    await insertUser(service.deps.store, { id: newId(), email: 'ada@example.com', name: 'Ada', nowMs: Date.now() });
    assert.equal((await apiClient(service).postJson('/api/password/forgot', { email: 'ada@example.com' })).status, 202);
    await eventually(async () => {
      const page = await fetch(`http://127.0.0.1:${port}/dev/mailbox`);
      const text = await page.text();
      return /reset-password\//.test(text) ? text : undefined;
    }, 'the reset mail listed at /dev/mailbox');
  });
  after(() => service.close());

  it('serves loopback clients (127.0.0.1 over a real socket; ::1 and ::ffff:127.0.0.1 through inject)', async () => {
    const page = await fetch(`http://127.0.0.1:${port}/dev/mailbox`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Reset your password/);
    for (const remoteAddress of ['::1', '::ffff:127.0.0.1', '127.0.0.2']) {
      const injected = await service.app.inject({ method: 'GET', url: '/dev/mailbox', remoteAddress });
      assert.equal(injected.statusCode, 200, remoteAddress);
      assert.match(injected.body, /reset-password\//, remoteAddress);
    }
  });

  it('refuses a client from another address with 404 NOT_FOUND, whatever forwarded headers say', { skip: !outside }, async () => {
    const base = `http://${outside}:${port}`;
    const unknown = await fetch(`${base}/dev/no-such-page`);
    const unknownBody = await unknown.text();
    assert.equal(unknown.status, 404);
    for (const headers of [
      {},
      { 'x-forwarded-for': '127.0.0.1' },
      { 'x-forwarded-for': '::1' },
      { forwarded: 'for=127.0.0.1', 'x-real-ip': '127.0.0.1' },
      { 'x-forwarded-for': '127.0.0.1', host: 'localhost:3000' },
    ] as Array<Record<string, string>>) {
      for (const method of ['GET', 'HEAD']) {
        const refused = await fetch(`${base}/dev/mailbox`, { method, headers });
        const body = await refused.text();
        assert.equal(refused.status, 404, `${method} ${JSON.stringify(headers)}`);
        if (method === 'GET') {
          assert.equal(body, unknownBody, 'the same page as any unknown address');
          assert.doesNotMatch(body, /reset-password|ada@example\.com/);
        }
      }
    }
    // Other paths under it and other methods tell nothing either (a POST without a body type is
    // refused by the form guard first, 415, as on any path).
    for (const [method, path, status] of [
      ['GET', '/dev/mailbox/', 404],
      ['GET', '/dev/mailbox?x=1', 404],
      ['GET', '/dev/%6dailbox', 404],
      ['POST', '/dev/mailbox', 415],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method, headers: { 'x-forwarded-for': '127.0.0.1' } });
      assert.equal(response.status, status, `${method} ${path}`);
      assert.doesNotMatch(await response.text(), /reset-password|ada@example\.com/);
    }
  });

  it('refuses non-loopback sockets through inject too (IPv4, IPv6, IPv4-mapped), headers or not', async () => {
    for (const remoteAddress of ['192.0.2.9', '10.0.0.1', '::ffff:192.0.2.9', 'fd00::9', '128.0.0.1']) {
      const injected = await service.app.inject({
        method: 'GET',
        url: '/dev/mailbox',
        remoteAddress,
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      assert.equal(injected.statusCode, 404, remoteAddress);
      assert.doesNotMatch(injected.body, /reset-password|ada@example\.com/, remoteAddress);
    }
  });

  it('warns once at startup, naming the risk, when listening beyond loopback with the dev mailbox on', () => {
    const warnings = logs.entries.filter((e) => WARNING.test(e.msg));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.level, 40, 'a warning');
    assert.match(warnings[0]?.msg ?? '', /take over any account/);
    assert.ok(logs.has(/dev mailbox: mails and SMS are not sent but listed at http:\/\/localhost:3000\/dev\/mailbox/));
  });
});

describe('no dev mailbox warning when listening on loopback only, or without a dev mailbox', () => {
  for (const [what, env, mailboxLine] of [
    ['HOST=127.0.0.1 with the dev mailbox', { SMTP_URL: '', HOST: '127.0.0.1' }, true],
    ['HOST=0.0.0.0 with SMTP and an SMS provider', { HOST: '0.0.0.0', SMS_URL: 'http://127.0.0.1:9/sms' }, false],
  ] as const) {
    it(what, async () => {
      const logs = new LogCapture();
      const service = await startTestService({ ...env, LOG_LEVEL: 'info' }, {}, { logDestination: logs });
      try {
        assert.ok(logs.has(/Latchkey is running/));
        assert.equal(logs.has(WARNING), false);
        assert.equal(logs.has(/dev mailbox: /), mailboxLine);
      } finally {
        await service.close();
      }
    });
  }
});
