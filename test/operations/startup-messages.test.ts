import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CliSandbox } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function logLines(stdout: string): LogLine[] {
  return stdout.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

describe('latchkey serve tells the operator what they need at startup', () => {
  const sandbox = new CliSandbox();
  before(async () => {
    const migrated = await sandbox.run(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
  });
  after(() => sandbox.remove());

  it('the URL it serves, the dev mailbox URL, and warnings for a dev mailbox beyond loopback and a PORT that PUBLIC_URL does not name', async () => {
    const port = await freePort();
    // PUBLIC_URL left at its default (http://localhost:3000) while only PORT changed: mail links point elsewhere.
    const serve = sandbox.start(['serve'], { PORT: String(port), HOST: '0.0.0.0', LOG_LEVEL: 'info', COURIER_INLINE: 'false' });
    try {
      await serve.waitForOutput(/Latchkey is running/);
      const lines = logLines(serve.stdout);
      const running = lines.find((l) => /Latchkey is running/.test(l.msg));
      assert.equal(running?.msg, `Latchkey is running at http://localhost:3000/ (listening on 0.0.0.0:${port})`);
      const mailbox = lines.find((l) => /^dev mailbox: /.test(l.msg));
      assert.equal(mailbox?.msg, 'dev mailbox: mails and SMS are not sent but listed at http://localhost:3000/dev/mailbox');
      const exposed = lines.filter((l) => /the dev mailbox is on while listening on 0\.0\.0\.0/.test(l.msg));
      assert.equal(exposed.length, 1, 'warned once');
      assert.equal(exposed[0]?.level, 40);
      const mismatch = lines.filter((l) =>
        /PUBLIC_URL \(http:\/\/localhost:3000\/\) names port 3000 but the service listens on port/.test(l.msg),
      );
      assert.equal(mismatch.length, 1);
      assert.equal(mismatch[0]?.level, 40);
      assert.match(mismatch[0]?.msg ?? '', new RegExp(`listens on port ${port}: every link in every mail points to PUBLIC_URL`));
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  it('no warning when PUBLIC_URL names the port and no dev mailbox is on', async () => {
    const port = await freePort();
    const serve = sandbox.start(['serve'], {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: 'smtp://127.0.0.1:9',
      SMS_URL: 'http://127.0.0.1:9/sms',
      LOG_LEVEL: 'info',
      COURIER_INLINE: 'false',
    });
    try {
      await serve.waitForOutput(/Latchkey is running/);
      const lines = logLines(serve.stdout);
      assert.ok(lines.some((l) => l.msg === `Latchkey is running at http://127.0.0.1:${port}/ (listening on 127.0.0.1:${port})`));
      assert.deepEqual(
        lines.filter((l) => l.level >= 40).map((l) => l.msg),
        [],
      );
      assert.equal(
        lines.some((l) => /dev mailbox/.test(l.msg)),
        false,
      );
    } finally {
      assert.equal(await serve.stop(), 0);
    }
  });

  describe('a port already in use', () => {
    let taken: Server;
    let port: number;
    before(async () => {
      port = await freePort();
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    });
    after(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('is one clear line on stderr, no stack trace, exit code 1', async () => {
      const result = await sandbox.run(['serve'], { PORT: String(port), LOG_LEVEL: 'warn', COURIER_INLINE: 'false' });
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `latchkey: cannot listen on 127.0.0.1:${port}: the port is already in use (another Latchkey or another program). Stop it or set PORT to a free port.\n`,
      );
      assert.doesNotMatch(result.stdout, /\n\s+at /);
    });
  });
});
