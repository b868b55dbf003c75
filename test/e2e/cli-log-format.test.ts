import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CliSandbox } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

describe('latchkey serve logs pretty lines with LOG_FORMAT=pretty, JSON lines when piped by default', () => {
  const sandbox = new CliSandbox();
  before(async () => {
    const migrated = await sandbox.run(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
  });
  after(() => sandbox.remove());

  for (const format of ['pretty', 'auto'] as const) {
    it(`LOG_FORMAT=${format}`, async () => {
      const port = await freePort();
      const serve = sandbox.start(['serve'], { PORT: String(port), LOG_LEVEL: 'info', LOG_FORMAT: format, COURIER_INLINE: 'false' });
      try {
        const [line] = await serve.waitForOutput(/^.*Latchkey is running.*$/m, 120_000);
        if (format === 'pretty') {
          // `[12:34:56.789] INFO: Latchkey is running at ...` then the fields, one a line.
          assert.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Latchkey is running at http:\/\/localhost:3000\//);
          assert.match(serve.stdout, /^\s+url: "http:\/\/localhost:3000\/"$/m);
          assert.ok(!serve.stdout.split('\n').some((l) => l.startsWith('{')), 'no JSON line');
        } else {
          // stdout is a pipe here: auto means JSON, which log collectors (and tests) read.
          const parsed = JSON.parse(line) as { level: number; msg: string };
          assert.equal(parsed.level, 30);
          assert.match(parsed.msg, /^Latchkey is running at http:\/\/localhost:3000\//);
        }
      } finally {
        assert.equal(await serve.stop(), 0);
      }
    });
  }
});
