import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET } from '../support/app.ts';
import { CliSandbox, migrationList } from '../support/cli.ts';
import { createEmptyDatabase, ENGINES } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';

const BIN = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));

interface Served {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<number | null>;
}

/** `node bin/latchkey.js serve` in `cwd` with only the given environment (plus PATH). */
function serve(cwd: string, env: Record<string, string>): Served {
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void exited.then(() => clearTimeout(timer));
  return { child, output: () => output, exited };
}

async function waitFor(served: Served, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (pattern.test(served.output())) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${pattern} in the output:\n${served.output()}`);
}

describe('latchkey serve as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-serve-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const port = await freePort();
    // No DATABASE_URL: the embedded default SQLite (./data/latchkey.db) migrates itself.
    const served = serve(dir, { NODE_ENV: 'test', PORT: String(port), SECRET_KEYS: TEST_SECRET, LOG_LEVEL: 'info' });
    await waitFor(served, /Latchkey is running/);
    assert.match(served.output(), /database migrations applied/);

    const body = JSON.stringify({ email: 'inflight@example.com' });
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (c: Buffer) => (response += c.toString('utf8')));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/password/forgot HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    served.child.kill('SIGTERM');
    await waitFor(served, /shutting down/);
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    assert.ok(refused, 'no new connections once shutting down');

    socket.end(body.slice(10));
    await closed;
    assert.match(response, /^HTTP\/1\.1 202 /, response);
    assert.equal(await served.exited, 0, served.output());
  });

  it('refuses to start on a database whose schema is behind, naming `latchkey migrate`', async () => {
    const sandbox = new CliSandbox();
    try {
      const served = serve(sandbox.dir, { ...sandbox.env(), PORT: '0' });
      assert.equal(await served.exited, 3, served.output());
      assert.match(served.output(), /schema is behind .*pending migrations: 0001-initial.*Run `latchkey migrate`/s);
    } finally {
      sandbox.remove();
    }
  });

  for (const engine of ENGINES.filter((e) => e.name !== 'sqlite')) {
    it(`on ${engine.name}: serve refuses an unmigrated database, latchkey migrate lists and applies, then serve starts`, {
      skip: engine.skipReason,
    }, async () => {
      const database = await createEmptyDatabase(engine.name);
      const sandbox = new CliSandbox();
      try {
        const env = { ...sandbox.env(), DATABASE_URL: database.url };
        const refused = serve(sandbox.dir, { ...env, PORT: '0' });
        assert.equal(await refused.exited, 3, refused.output());
        assert.match(refused.output(), /latchkey migrate/);

        const migrated = await sandbox.run(['migrate'], { DATABASE_URL: database.url });
        assert.equal(migrated.code, 0, migrated.stderr);
        assert.match(migrated.stderr, new RegExp(`applying 0001-initial to the ${engine.name} database`));
        assert.equal(migrated.stdout, `applied: ${migrationList()}\n`);

        const port = await freePort();
        const served = serve(sandbox.dir, { ...env, PORT: String(port), LOG_LEVEL: 'info' });
        await waitFor(served, /Latchkey is running/);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        assert.equal(ready.status, 200);
        assert.equal(((await ready.json()) as { database: string }).database, engine.name);
        served.child.kill('SIGTERM');
        assert.equal(await served.exited, 0, served.output());
      } finally {
        sandbox.remove();
        await database.drop();
      }
    });
  }
});
