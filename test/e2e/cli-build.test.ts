import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  type Dirent,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../support/free-port.ts';

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
const TRACE = fileURLToPath(new URL('../support/module-trace.mjs', import.meta.url));
const DESCRIPTION = 'Latchkey: self-hosted account recovery and sign-in.';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    // Generous: a build on a loaded 2-core machine has taken over 90 s.
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The build and the bin's choice between dist/ and the sources, in a copy of the project (src/,
 * bin/, scripts/, package.json, tsconfigs; node_modules linked) that the test may edit and rebuild.
 */
describe('npm run build, and bin/latchkey.js running dist/ only when it matches the sources', () => {
  let copy: string;
  const build = () => run(copy, ['scripts/build.mjs']);
  const help = (args: string[] = []) => run(copy, ['bin/latchkey.js', ...args, '--help']);
  /** Marks the compiled CLI, so its help tells whether dist/ or the sources answered. */
  const markDist = () => {
    const file = join(copy, 'dist', 'cli', 'index.js');
    const compiled = readFileSync(file, 'utf8');
    assert.ok(compiled.includes(DESCRIPTION), 'the compiled CLI holds the description');
    writeFileSync(file, compiled.replace(DESCRIPTION, 'FROM-DIST'));
  };
  /** Files of the copy (not node_modules, not node: builtins) and packages that `args` loaded. */
  const traceOf = async (args: string[]) => {
    const file = join(copy, `trace-${Math.random().toString(36).slice(2)}.txt`);
    const result = await run(copy, ['--import', pathToFileURL(TRACE).href, 'bin/latchkey.js', ...args], { MODULE_TRACE_FILE: file });
    assert.equal(result.code, 0, result.stderr);
    return loadedIn(file);
  };
  const loadedIn = (file: string) => {
    const urls = [...new Set(readFileSync(file, 'utf8').trim().split('\n'))];
    const root = pathToFileURL(copy).href;
    return {
      own: urls.filter((u) => u.startsWith(root)).map((u) => u.slice(root.length + 1)),
      packages: [...new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))].sort(),
    };
  };

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'latchkey-build-'));
    for (const path of ['src', 'bin', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
      cpSync(join(PROJECT, path), join(copy, path), { recursive: true });
    }
    symlinkSync(realpathSync(join(PROJECT, 'node_modules')), join(copy, 'node_modules'));
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('compiles src/ to dist/ with the run-time files, and the bin then runs dist/', async () => {
    const built = await build();
    assert.equal(built.code, 0, built.stderr);
    const runTimeFiles = (readdirSync(join(copy, 'src'), { recursive: true, withFileTypes: true }) as Dirent[]).filter(
      (entry) => entry.isFile() && !entry.name.endsWith('.ts'),
    );
    assert.match(built.stdout, new RegExp(`src/ compiled to dist/ \\(${runTimeFiles.length} assets copied\\)`));
    for (const file of ['cli/index.js', 'main.js', 'store/migrations/0001-initial.js'])
      assert.ok(existsSync(join(copy, 'dist', file)), file);
    for (const asset of [
      'views/style.css',
      'views/assets/password-toggle.js',
      'flows/passkeys/passkeys.js',
      'crypto/passwords/common-passwords.txt',
      'i18n/messages/de/common.json',
      'i18n/messages/ja/errors.json',
    ]) {
      assert.equal(readFileSync(join(copy, 'dist', asset), 'utf8'), readFileSync(join(copy, 'src', asset), 'utf8'), asset);
    }
    assert.doesNotMatch(readFileSync(join(copy, 'dist', 'cli', 'index.js'), 'utf8'), /from '\.[^']*\.ts'/, 'relative imports end in .js');
    // Kysely and TypeBox are bundled: the compiled code imports the bundles, never the packages.
    assert.match(built.stdout, /kysely, @sinclair\/typebox, @sinclair\/typebox\/value bundled into dist\/vendor\//);
    assert.match(readFileSync(join(copy, 'dist', 'store', 'dialects.js'), 'utf8'), /from '\.\.\/vendor\/kysely\.js'/);
    assert.match(readFileSync(join(copy, 'dist', 'http', 'form-pages.js'), 'utf8'), /from '\.\.\/vendor\/typebox-value\.js'/);
    markDist();
    const result = await help();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /FROM-DIST/);
  });

  it('--help and <command> --help load commander and the command definitions only', async () => {
    for (const args of [['--help'], ['users', '--help'], ['import', '--help'], ['--version']]) {
      const { own, packages } = await traceOf(args);
      assert.deepEqual(packages, ['commander'], `${args.join(' ')}: packages`);
      const service = own.filter((f) => !/^(bin\/[\w-]+\.js|dist\/(cli|kernel)\/[\w-]+\.js)$/.test(f));
      assert.deepEqual(service, [], `${args.join(' ')} loads none of the service`);
      assert.ok(own.includes('dist/cli/index.js'), `${args.join(' ')} ran dist/`);
    }
  });

  it('serve with the default SQLite loads no other driver, no Redis client, and no library a feature loads when used', async () => {
    // `npm start` as a first-time user runs it: an empty working directory, no settings.
    const cwd = mkdtempSync(join(tmpdir(), 'latchkey-serve-'));
    const file = join(cwd, 'trace.txt');
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', pathToFileURL(TRACE).href, join(copy, 'bin', 'latchkey.js'), 'serve'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, NODE_ENV: 'development', PORT: String(port), MODULE_TRACE_FILE: file },
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        assert.equal(child.exitCode, null, 'serve exited before answering');
        assert.ok(Date.now() < deadline, 'serve did not answer within 120 s');
        const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        if (answer) {
          assert.equal(answer.status, 200);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const { own, packages } = loadedIn(file);
    rmSync(cwd, { recursive: true, force: true });
    assert.ok(packages.includes('better-sqlite3'), 'the SQLite driver is loaded');
    for (const lazy of [
      // Other engines' drivers and the Redis client: only for a DATABASE_URL or REDIS_URL naming them.
      'pg',
      'mysql2',
      'ioredis',
      // Bundled into dist/vendor/ by the build: the packages' own files are never loaded.
      'kysely',
      '@sinclair/typebox',
      // Loaded by the first use of their feature: a passkey ceremony, an authenticator set-up page,
      // a mail over SMTP, a phone number, a validated request, an OIDC client.
      '@simplewebauthn/server',
      'qrcode',
      'nodemailer',
      'libphonenumber-js',
      'ajv',
      'oidc-provider',
    ]) {
      assert.ok(!packages.includes(lazy), `serve loaded ${lazy}`);
    }
    for (const bundle of ['dist/vendor/kysely.js', 'dist/vendor/typebox.js']) assert.ok(own.includes(bundle), `serve loaded ${bundle}`);
  });

  it('falls back to the sources once one is edited; a rebuild runs dist/ again', async () => {
    appendFileSync(join(copy, 'src', 'cli', 'index.ts'), '\n// an edit\n');
    const result = await help();
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /FROM-DIST/, 'a stale dist/ never runs');
    assert.match(result.stdout, /Latchkey: self-hosted account recovery/);

    assert.equal((await build()).code, 0);
    markDist();
    assert.match((await help()).stdout, /FROM-DIST/);
  });

  it('a failed build exits non-zero naming the failure and leaves no stamp; the bin runs the sources', async () => {
    writeFileSync(join(copy, 'src', 'kernel', 'broken.ts'), 'export const = ;\n');
    const failed = await build();
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /latchkey build FAILED: tsc -p tsconfig.build.json exited with/);
    assert.equal(existsSync(join(copy, 'dist', '.source-stamp')), false);
    const result = await help(['users']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Usage: latchkey users/);
    rmSync(join(copy, 'src', 'kernel', 'broken.ts'));
  });

  it('with no dist/ at all, runs the sources through tsx, loading no more of the service', async () => {
    rmSync(join(copy, 'dist'), { recursive: true, force: true });
    const { own, packages } = await traceOf(['users', '--help']);
    assert.deepEqual(
      packages.filter((p) => !['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps'].includes(p)),
      ['commander'],
    );
    assert.deepEqual(
      own.filter((f) => !/^(bin\/[\w-]+\.js|src\/(cli|kernel)\/[\w-]+\.ts)$/.test(f)),
      [],
    );
    assert.ok(own.includes('src/cli/index.ts'));
  });
});
