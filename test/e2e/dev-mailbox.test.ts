import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/kernel/random.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { insertUser } from '../support/database.ts';
import { apiClient, eventually } from '../support/flows.ts';

describe('the dev mailbox (no SMTP_URL)', () => {
  let service: TestService;
  const lines: string[] = [];
  before(async () => {
    service = await startTestService(
      { SMTP_URL: '' },
      {},
      { logger: () => createLogger('info', { write: (line: string) => void lines.push(line) }) },
    );
  });
  after(() => service.close());

  it('keeps mails as private files, lists them escaped at /dev/mailbox, and logs no body', async () => {
    assert.equal(service.config.devMailbox, true);
    // A confirmed account whose name needs escaping (mails greet only confirmed addresses by name).
    await insertUser(service.deps.store, { id: newId(), email: 'ada@example.com', name: '<b>Ada</b>', nowMs: Date.now() });
    const forgot = await apiClient(service).postJson('/api/password/forgot', { email: 'ada@example.com' });
    assert.equal(forgot.status, 202);
    const directory = join(service.dataDir, 'mailbox');
    const files = await eventually(async () => {
      try {
        const found = readdirSync(directory).filter((f) => f.endsWith('.json'));
        return found.length > 0 ? found : undefined;
      } catch {
        return undefined;
      }
    }, 'a mail in the dev mailbox');
    assert.equal(statSync(join(directory, files[0] as string)).mode & 0o777, 0o600);

    const page = await new TestClient(service.url).get('/dev/mailbox');
    assert.equal(page.status, 200);
    assert.match(page.text, /Reset your password/);
    assert.match(page.text, /To: ada@example.com/);
    assert.match(page.text, /Hello &lt;b&gt;Ada&lt;\/b&gt;,/);
    assert.equal(service.smtp.mails.length, 0, 'nothing went to SMTP');

    const delivered = lines.map((l) => JSON.parse(l)).filter((e) => e.msg?.includes('delivered to the dev mailbox'));
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].to, 'ada@example.com');
    assert.ok(!JSON.stringify(delivered[0]).includes('Hello'), 'the body is not logged');
  });
});
