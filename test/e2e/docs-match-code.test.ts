import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { ERROR_CODES } from '../../src/kernel/errors.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';

const ROOT = new URL('../../', import.meta.url);
const README = readFileSync(new URL('README.md', ROOT), 'utf8');
const DOC_PAGES = readdirSync(new URL('docs/', ROOT))
  .filter((name) => name.endsWith('.md'))
  .map((name) => ({ name: `docs/${name}`, text: readFileSync(new URL(`docs/${name}`, ROOT), 'utf8') }));

/** The text of a README section, from its `## title` line to the next `## `. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has no "## ${title}" section`);
  const end = README.indexOf('\n## ', start + 4);
  return README.slice(start, end < 0 ? undefined : end);
}

/** `METHOD /api/path` of every table row that starts with one, params written `:name`. */
function documentedEndpoints(markdown: string): string[] {
  const rows = markdown.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => {
    const match = /^\| `(GET|HEAD|POST|PUT|PATCH|DELETE) (\/api[^`\s?]*)`/.exec(row);
    return match ? [`${match[1]} ${match[2]}`] : [];
  });
}

describe('the README and docs/ match the code', () => {
  describe('JSON API tables', () => {
    let service: TestService;
    let routes: Set<string>;
    let pages: string[];
    before(async () => {
      // Every optional feature on, so that every route exists.
      service = await startTestService({ SMTP_URL: '', USERNAMES: 'optional', PASSWORD_OPTIONAL: 'true' });
      const found: RouteOptions[] = [];
      const app = await buildApp(service.deps, { onRoute: (route) => void found.push(route) });
      await app.ready();
      await app.close();
      routes = new Set(
        found
          .filter((route) => route.url.startsWith('/api/'))
          .flatMap((route) => [route.method].flat().map((method) => `${method} ${route.url}`))
          .filter((endpoint) => !endpoint.startsWith('HEAD ')),
      );
      pages = found
        .filter((route) => [route.method].flat().includes('GET') && !route.url.startsWith('/api/') && route.url !== '*')
        .map((route) => route.url.replace(/:([A-Za-z_]+)/g, '<$1>'));
    });
    after(() => service.close());

    it('list every /api/ route the app registers (README, or an endpoint table under docs/)', () => {
      assert.ok(routes.size >= 30, `found ${routes.size} API routes`);
      const documented = new Set([...documentedEndpoints(README), ...DOC_PAGES.flatMap((page) => documentedEndpoints(page.text))]);
      const missing = [...routes].filter((endpoint) => !documented.has(endpoint)).sort();
      assert.deepEqual(missing, [], `API routes in no endpoint table: ${missing.join(', ')}`);
    });

    it('name only routes that exist', () => {
      for (const page of [{ name: 'README.md', text: README }, ...DOC_PAGES]) {
        const unknown = documentedEndpoints(page.text).filter((endpoint) => !routes.has(endpoint));
        assert.deepEqual(unknown, [], `${page.name} documents endpoints the app does not have: ${unknown.join(', ')}`);
      }
    });

    it('name every page (every GET address outside /api/): the README Pages section, or docs/ for the operations ones', () => {
      assert.ok(pages.length >= 30, `found ${pages.length} pages`);
      const readme = section('Pages');
      const everywhere = [README, ...DOC_PAGES.map((page) => page.text)].join('\n');
      const quoted = (text: string, path: string) => text.includes(`\`${path}\``) || text.includes(`\`${path}?`);
      const missing = pages.filter((path) => {
        if (path === '/assets/style.css') return false; // "one local stylesheet"
        if (['/healthz', '/readyz', '/metrics'].includes(path)) return !quoted(everywhere, path);
        return !quoted(readme, path);
      });
      assert.deepEqual(missing, [], `pages missing from the README's Pages section: ${missing.join(', ')}`);
    });

    it('the README table lists the API routes of the flows it describes itself', () => {
      const table = new Set(documentedEndpoints(section('JSON API')));
      for (const endpoint of ['POST /api/login', 'GET /api/session', 'POST /api/password/forgot', 'POST /api/password/reset']) {
        assert.ok(table.has(endpoint), endpoint);
      }
    });
  });

  describe('CLI section', () => {
    const sandbox = new CliSandbox();
    after(() => sandbox.remove());

    /** The command names listed under "Commands:" in a --help text. */
    function commandsIn(help: string): string[] {
      const list = help.split(/\nCommands:\n/)[1] ?? '';
      return list
        .split('\n')
        .map((line) => /^ {2}([a-z][a-z-]*)\b/.exec(line)?.[1])
        .filter((name): name is string => name !== undefined && name !== 'help');
    }

    it('names every command and subcommand of `latchkey --help`', async () => {
      const cli = section('CLI');
      const top = await sandbox.run(['--help']);
      assert.equal(top.code, 0, top.stderr);
      const commands = commandsIn(top.stdout);
      assert.ok(commands.length >= 8, `found ${commands.join(', ')}`);
      const missing: string[] = [];
      for (const command of commands) {
        const help = await sandbox.run([command, '--help']);
        const subcommands = commandsIn(help.stdout);
        const names = subcommands.length ? subcommands.map((sub) => `${command} ${sub}`) : [command];
        for (const name of names) {
          const [first, second] = name.split(' ');
          // `users disable EMAIL` / `enable EMAIL` share a row: a subcommand may follow a slash.
          const listed = second
            ? new RegExp(`\`latchkey ${first} ${second}\\b|\`latchkey ${first} [^\`]*\` / \`${second}\\b`).test(cli)
            : new RegExp(`\`latchkey ${first}\\b`).test(cli);
          if (!listed) missing.push(name);
        }
      }
      assert.deepEqual(missing, [], `commands missing from the README's CLI section: ${missing.join(', ')}`);
    });
  });

  it('error code tables give each code the status the code answers with', () => {
    const rows = [{ name: 'README.md', text: README }, ...DOC_PAGES].flatMap((page) =>
      [...page.text.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((match) => ({
        page: page.name,
        code: match[1] as string,
        status: Number(match[2]),
      })),
    );
    assert.ok(rows.length >= 40, `found ${rows.length} rows`);
    const codes = ERROR_CODES as Record<string, { status: number }>;
    const wrong = rows.filter((row) => codes[row.code]?.status !== row.status).map((row) => `${row.page}: ${row.code} ${row.status}`);
    assert.deepEqual(wrong, [], `error code rows that do not match src/kernel/errors.ts: ${wrong.join(', ')}`);
  });

  describe('Layout section', () => {
    const TOP = ['src', 'test', 'bench', 'scripts', 'bin', 'docs', 'examples'];

    function directories(path: string): string[] {
      const entries = readdirSync(new URL(`${path}/`, ROOT), { withFileTypes: true });
      return entries
        .filter((entry) => entry.isDirectory())
        .flatMap((entry) => [`${path}/${entry.name}`, ...directories(`${path}/${entry.name}`)]);
    }

    it('names every folder of src/, test/, bench/, scripts/, bin/, docs/ and examples/', () => {
      const layout = section('Layout');
      const missing = [...TOP, ...TOP.flatMap(directories)].filter((path) => {
        const name = path.split('/').pop() as string;
        return !new RegExp(`(^|[\\s(,])${name}/`, 'm').test(layout);
      });
      assert.deepEqual(missing, [], `folders missing from the README's Layout: ${missing.join(', ')}`);
    });

    it('names no folder that does not exist', () => {
      const layout = /```\n([\s\S]*?)```/.exec(section('Layout'))?.[1] ?? '';
      const existing = new Set([...TOP, ...TOP.flatMap(directories)].map((path) => path.split('/').pop()));
      const named = [...layout.matchAll(/(?:^|[\s(,])([a-z][a-z0-9-]*)\/(?=[\s,:;)]|$)/gm)].map((match) => match[1]);
      // dist/ is the build's output (git-ignored): named in the Layout, present only once built.
      const unknown = named.filter((name) => !existing.has(name) && name !== 'dist');
      assert.deepEqual(unknown, [], `the Layout names folders that do not exist: ${unknown.join(', ')}`);
    });
  });
});
