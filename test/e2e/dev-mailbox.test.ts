import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
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
    const register = await apiClient(service).postJson('/api/register', {
      email: 'ada@example.com',
      password: 'correct horse battery',
      name: '<b>Ada</b>',
    });
    assert.equal(register.status, 202);
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
    assert.match(page.text, /Welcome to Latchkey/);
    assert.match(page.text, /To: ada@example.com/);
    assert.match(page.text, /Hello &lt;b&gt;Ada&lt;\/b&gt;,/);
    assert.equal(service.smtp.mails.length, 0, 'nothing went to SMTP');

    const delivered = lines.map((l) => JSON.parse(l)).filter((e) => e.msg?.includes('dev mailbox'));
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].to, 'ada@example.com');
    assert.ok(!JSON.stringify(delivered[0]).includes('Hello'), 'the body is not logged');
  });
});
