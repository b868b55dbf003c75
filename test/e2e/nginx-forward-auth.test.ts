import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
// @ts-expect-error: a plain JavaScript example app, without type declarations
import { createUpstream } from '../../examples/forward-auth/upstream.mjs';
import type { TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { eventually, registerUser } from '../support/flows.ts';
import { freePort } from '../support/free-port.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const NGINX = '/usr/sbin/nginx';
const EXAMPLE = new URL('../../examples/forward-auth/nginx.conf', import.meta.url);
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';

/** The example's server block, pointed at this test's ports, inside a main config of our own. */
function nginxConfig(dir: string, ports: { nginx: number; latchkey: number; app: number }): string {
  const server = readFileSync(EXAMPLE, 'utf8')
    .replace('listen 80;', `listen 127.0.0.1:${ports.nginx};`)
    .replace('server_name app.example.com;', 'server_name 127.0.0.1;')
    .replaceAll('http://127.0.0.1:3000', `http://127.0.0.1:${ports.latchkey}`)
    .replaceAll('http://127.0.0.1:8080', `http://127.0.0.1:${ports.app}`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `${name}_temp_path ${join(dir, 'tmp', name)};`);
  return `worker_processes 1;\nevents { worker_connections 64; }\nhttp {\n${temp.join('\n')}\naccess_log off;\n${server}\n}\n`;
}

describe('an application behind a real nginx with auth_request', () => {
  let service: TestService;
  let upstream: Server;
  let nginx: ChildProcess;
  let nginxLog = '';
  let dir: string;
  let app: string;
  const seen: Array<Record<string, string>> = [];

  before(async () => {
    assert.ok(existsSync(NGINX), `${NGINX} is missing: install Debian's nginx (apt-get install -y nginx), as .ci/run does`);
    upstream = createUpstream();
    upstream.on('request', (request: { headers: Record<string, string> }) => seen.push(request.headers));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const nginxPort = await freePort();
    app = `http://127.0.0.1:${nginxPort}`;
    service = await startServiceAtOwnOrigin({ RETURN_TO_ALLOWED: app });
    await registerUser(service, EMAIL, PASSWORD);

    dir = mkdtempSync(join(tmpdir(), 'latchkey-nginx-'));
    mkdirSync(join(dir, 'tmp'));
    const ports = { nginx: nginxPort, latchkey: Number(new URL(service.url).port), app: (upstream.address() as AddressInfo).port };
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, ports));
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')}; error_log stderr;`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    nginx.stderr?.on('data', (chunk: Buffer) => {
      nginxLog += chunk.toString();
    });
    await eventually(
      async () => {
        if (nginx.exitCode !== null) throw new Error(`nginx exited (${nginx.exitCode}): ${nginxLog}`);
        return fetch(app, { redirect: 'manual' }).then(
          () => true,
          () => undefined,
        );
      },
      'nginx to listen',
      10_000,
    );
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await new Promise((resolve) => upstream?.close(resolve));
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends a signed-out browser to the login page with the original URL, and back after signing in', async () => {
    const before = seen.length;
    const browser = new TestClient(app);
    const original = `${app}/reports?id=7&tab=2`;
    const door = await browser.get('/reports?id=7&tab=2');
    assert.equal(door.status, 302, nginxLog);
    assert.equal(door.location, service.at(`/login?return_to=${encodeURIComponent(original)}`));
    assert.equal(seen.length, before, 'the application never saw the request');

    const latchkey = new TestClient(service.url);
    const login = await latchkey.get(new URL(door.location as string).pathname + new URL(door.location as string).search);
    const action = (/<form method="post" action="([^"]+)"/.exec(login.text)?.[1] ?? '').replaceAll('&amp;', '&');
    const signedIn = await latchkey.postForm(action, { _csrf: login.csrfToken(), email: EMAIL, password: PASSWORD });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, original);
  });

  it('passes the identity from Latchkey, never the one a client sends, and closes the door after logout', async () => {
    const latchkey = new TestClient(service.url);
    await latchkey.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    const me = (await latchkey.get('/api/session')).json().user;
    // The browser sends the same cookie to the app (cookies are per host, not per port).
    const cookie = `lk_session=${latchkey.cookies.get('lk_session')}`;
    const forged = { 'remote-email': 'mallory@example.com', 'remote-user': 'admin', 'remote-name': 'Mallory', 'remote-username': 'root' };

    const through = await new TestClient(app).get('/dashboard', { cookie, ...forged });
    assert.equal(through.status, 200, nginxLog);
    const headers = through.json().headers;
    assert.equal(headers['remote-email'], EMAIL);
    assert.equal(headers['remote-user'], me.id);
    assert.equal(headers['remote-name'], undefined, 'no name: the forged one is removed, not passed');
    assert.equal(headers['remote-username'], undefined);

    const posted = await new TestClient(app).request('POST', '/api/items', {
      body: JSON.stringify({ title: 'x' }),
      headers: { cookie, 'content-type': 'application/json' },
    });
    assert.equal(posted.status, 200, 'a POST is checked with a GET without its body');
    assert.equal(posted.json().method, 'POST');
    assert.equal(posted.json().headers['remote-email'], EMAIL);

    const before = seen.length;
    const anonymous = await new TestClient(app).get('/dashboard', forged);
    assert.equal(anonymous.status, 302);
    assert.equal(seen.length, before, 'a forged Remote-Email alone does not get through');

    const account = await latchkey.get('/');
    assert.equal((await latchkey.postForm('/logout', { _csrf: account.csrfToken() })).status, 303);
    const closed = await new TestClient(app).get('/dashboard', { cookie });
    assert.equal(closed.status, 302);
    assert.equal(seen.length, before, 'after logout the application sees nothing');
  });

  it('the example configuration is the one docs/integration.md shows', () => {
    const docs = readFileSync(new URL('../../docs/integration.md', import.meta.url), 'utf8');
    assert.ok(docs.includes(readFileSync(EXAMPLE, 'utf8').trim()), 'docs/integration.md quotes examples/forward-auth/nginx.conf verbatim');
  });
});
