import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { eventually } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';

describe('the dev SMS box (no SMS_URL outside production)', () => {
  let service: TestService;
  const logs = new LogCapture();
  before(async () => {
    // SMTP is set (the test SMTP server): the page shows the SMS section only.
    service = await startTestService({ LOG_LEVEL: 'debug' }, {}, { logDestination: logs });
  });
  after(() => service.close());

  it('keeps each SMS as a private file and lists it at /dev/mailbox, logging no number, body or code', async () => {
    assert.equal(service.config.sms.devBox, true);
    assert.equal(service.deps.smsAvailable, true);
    const sent = await service.deps.smsSender.sendCode(service.deps.store, { userId: 'u1', to: '+33612345678', code: '424242' });
    assert.equal(sent.ok, true);
    service.deps.outbox.wake();

    const directory = join(service.dataDir, 'sms');
    const files = await eventually(async () => {
      try {
        const found = readdirSync(directory).filter((f) => f.endsWith('.json'));
        return found.length > 0 ? found : undefined;
      } catch {
        return undefined;
      }
    }, 'an SMS in the dev SMS box');
    assert.equal(files.length, 1);
    assert.equal(statSync(join(directory, files[0] as string)).mode & 0o777, 0o600);
    assert.equal(statSync(directory).mode & 0o077, 0, 'the directory is private too');

    const page = await new TestClient(service.url).get('/dev/mailbox');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2>SMS<\/h2>/);
    assert.doesNotMatch(page.text, /<h2>Mail<\/h2>/, 'mail goes to SMTP here');
    assert.match(page.text, /To: \+33612345678/);
    assert.match(page.text, /<pre>424242 is your Latchkey code\.\n\n@localhost #424242<\/pre>/);

    await logs.waitFor(/dev SMS box/);
    const delivered = logs.entries.filter((e) => e.msg.includes('dev SMS box'));
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]?.to, 'FR …78');
    const all = logs.lines.join('\n');
    for (const secret of ['424242', '+33612345678', '33612345678', 'is your Latchkey code']) {
      assert.ok(!all.includes(secret), `"${secret}" is in the logs`);
    }
  });

  it('shows both sections when neither SMTP_URL nor SMS_URL is set', async () => {
    const bare = await startTestService({ SMTP_URL: '' });
    try {
      const page = await new TestClient(bare.url).get('/dev/mailbox');
      assert.equal(page.status, 200);
      assert.match(page.text, /<h2>Mail<\/h2>[\s\S]*No mail yet[\s\S]*<h2>SMS<\/h2>[\s\S]*No SMS yet/);
    } finally {
      await bare.close();
    }
  });
});

describe('SMS in production without SMS_URL', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ NODE_ENV: 'production' });
  });
  after(() => service.close());

  it('is unavailable: no channel, no dev box, nothing queued, no /dev/mailbox', async () => {
    assert.equal(service.deps.smsAvailable, false);
    assert.equal(service.deps.smsChannel, undefined);
    const sent = await service.deps.smsSender.sendCode(service.deps.store, { userId: 'u1', to: '+33612345678', code: '424242' });
    assert.deepEqual(sent, { ok: false, code: 'SMS_UNAVAILABLE' });
    const queued = await service.deps.store.db.selectFrom('outbox').selectAll().where('topic', '=', 'sms').execute();
    assert.equal(queued.length, 0);
    assert.equal((await new TestClient(service.url).get('/dev/mailbox')).status, 404);
  });
});
