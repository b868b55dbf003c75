import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CliSandbox, migrationList, type RunningCli } from '../support/cli.ts';
import { openTestDatabase } from '../support/database.ts';
import { eventually } from '../support/flows.ts';
import { TestSmtpServer } from '../support/smtp.ts';

describe('latchkey serve and latchkey worker as processes', () => {
  const sandbox = new CliSandbox();
  const smtp = new TestSmtpServer();
  let smtpUrl: string;
  const running: RunningCli[] = [];
  before(async () => {
    smtpUrl = await smtp.start();
  });
  after(async () => {
    for (const process of running) await process.stop();
    await smtp.stop();
    sandbox.remove();
  });

  it('serve starts on an empty directory once migrated: warns about the generated key, answers, and stops on SIGTERM', async () => {
    const env = {
      NODE_ENV: 'test',
      DATA_DIR: sandbox.dir,
      DATABASE_URL: `sqlite:${sandbox.databaseFile}`,
      PORT: '0',
      LOG_LEVEL: 'info',
      COURIER_INLINE: 'false',
    };
    // A DATABASE_URL other than the embedded default is migrated as a deploy step (issue 4):
    // `serve` refuses a schema that is behind (test/operations/serve-process.test.ts).
    const migrated = await sandbox.run(['migrate'], {}, { replaceEnv: env });
    assert.equal(migrated.stdout, `applied: ${migrationList()}\n`, migrated.stderr);
    const serve = sandbox.start(['serve'], {}, { replaceEnv: env });
    running.push(serve);
    const [, listening] = await serve.waitForOutput(/"listening":"([^"]+)"/);
    assert.match(serve.stdout, /SECRET_KEYS is not set: using a generated development key/);
    const page = await fetch(`http://${listening}/login`);
    assert.equal(page.status, 200);
    const register = await fetch(`http://${listening}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery' }),
    });
    assert.equal(register.status, 202);
    assert.equal(await serve.stop(), 0);
  });

  it('worker sends what serve queued, through SMTP, and stops on SIGTERM', async () => {
    const worker = sandbox.start(
      ['worker'],
      {},
      {
        replaceEnv: {
          NODE_ENV: 'test',
          DATA_DIR: sandbox.dir,
          DATABASE_URL: `sqlite:${sandbox.databaseFile}`,
          SMTP_URL: smtpUrl,
          COURIER_POLL_MS: '100',
          LOG_LEVEL: 'info',
        },
      },
    );
    running.push(worker);
    const mail = await smtp.waitForMail('ada@example.com', { subject: /Welcome/, timeoutMs: 60_000 });
    assert.match(mail.parsed.text ?? '', /Sign in/);
    const { database, store } = await openTestDatabase(sandbox.databaseFile);
    try {
      const rows = await eventually(async () => {
        const all = await store.db.selectFrom('outbox').select(['status', 'payload']).execute();
        return all.every((r) => r.status === 'sent') ? all : undefined;
      }, 'the message to be marked sent');
      assert.deepEqual(rows, [{ status: 'sent', payload: null }]);
    } finally {
      await database.close();
    }
    assert.equal(await worker.stop(), 0);
  });
});
