import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/config/parse.ts';
import { parseTemplate, readTemplateOverrides } from '../../../src/courier/templates/override-files.ts';
import { renderMailWithOverrides } from '../../../src/courier/templates/overrides.ts';
import { COMMON_PLACEHOLDERS, placeholderValues, TEMPLATE_PLACEHOLDERS } from '../../../src/courier/templates/placeholders.ts';
import { renderMail } from '../../../src/courier/templates/render.ts';
import type { MailMessage, TemplateName } from '../../../src/courier/templates/types.ts';

const root = mkdtempSync(join(tmpdir(), 'latchkey-templates-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
function templatesDir(files: Record<string, string>): string {
  const dir = join(root, `t${++dirs}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const context = { publicUrl: new URL('https://id.example.test/auth'), productName: 'Acme ID' };
const T = 'A'.repeat(43);
const base = { name: 'Ada <b>"L"</b>' };
/** One message of every template. */
const SAMPLES: { [K in TemplateName]: Extract<MailMessage, { template: K }>['data'] } = {
  'password-reset': { ...base, token: T, expiresInSeconds: 3600, returnTo: 'https://app.example.test/x' },
  'account-invite': { ...base, token: T, expiresInSeconds: 86_400 },
  'password-changed': { ...base, changedAtMs: 0 },
  'password-set': { ...base, setAtMs: 0 },
  'reauth-code': { ...base, code: '123456', expiresInSeconds: 600 },
  welcome: { ...base },
  'account-exists': { ...base },
  'username-unavailable': {},
  'confirm-email': { ...base, token: T, expiresInSeconds: 7200, welcome: true },
  'email-change-confirm': { ...base, token: T, expiresInSeconds: 7200 },
  'email-change-requested': { ...base, newEmail: 'new@example.test', undoToken: T, expiresInSeconds: 7200 },
  'username-reminder': { ...base, username: 'ada' },
  'password-reset-code': { ...base, code: '12345678', expiresInSeconds: 600 },
  'login-code': { ...base, code: '123456', expiresInSeconds: 600 },
  'login-link': { ...base, token: T, code: '12345678', expiresInSeconds: 900 },
  'recovery-code-used': { ...base, remaining: 3, usedAtMs: 0 },
  'phone-changed': { ...base, change: 'added', endsWith: '78', atMs: 0 },
  'second-factor-changed': { ...base, change: 'enabled', changedAtMs: 0 },
  'passkey-changed': { ...base, change: 'removed', passkeyName: 'Laptop', changedAtMs: 0 },
  'account-imported': { ...base, hasPassword: true },
};
const messageOf = (template: TemplateName) => ({ template, to: 'ada@example.test', data: SAMPLES[template] }) as MailMessage;

describe('mail template overrides (TEMPLATES_DIR)', () => {
  it('every template has a value for each placeholder it documents, and no other', () => {
    for (const template of Object.keys(TEMPLATE_PLACEHOLDERS) as TemplateName[]) {
      const values = placeholderValues(messageOf(template), context);
      assert.deepEqual(Object.keys(values).sort(), [...COMMON_PLACEHOLDERS, ...TEMPLATE_PLACEHOLDERS[template]].sort(), template);
      for (const [name, value] of Object.entries(values)) {
        if (name.endsWith('url')) assert.ok(value.startsWith('https://id.example.test/auth/'), `${template} {{${name}}}: ${value}`);
      }
    }
  });

  it("the links placeholders give are the built-in mail's links", () => {
    for (const template of Object.keys(TEMPLATE_PLACEHOLDERS) as TemplateName[]) {
      const builtIn = renderMail(messageOf(template), context).text;
      const values = placeholderValues(messageOf(template), context);
      for (const [name, value] of Object.entries(values)) {
        if (name.endsWith('url') && name !== 'activity_url' && name !== 'reset_url')
          assert.ok(builtIn.includes(value), `${template} {{${name}}}`);
      }
    }
  });

  it('replace only the parts that have a file; values are escaped in .html and one line in .subject', () => {
    const dir = templatesDir({
      'password-reset.subject': '{{product}}: reset for {{name}}\n',
      'password-reset.html': '<p>{{greeting}}</p><a href="{{url}}">Reset</a> ({{ expires }})',
      'welcome.txt': 'Welcome {{name}} to {{product}}: {{login_url}}\n',
    });
    const { overrides, problems } = readTemplateOverrides(dir);
    assert.deepEqual(problems, []);
    const reset = messageOf('password-reset');
    const mail = renderMailWithOverrides(reset, context, overrides);
    assert.equal(mail.subject, 'Acme ID: reset for Ada <b>"L"</b>');
    assert.equal(
      mail.html,
      `<p>Hello Ada &lt;b&gt;&quot;L&quot;&lt;/b&gt;,</p><a href="https://id.example.test/auth/reset-password/${T}?return_to=https%3A%2F%2Fapp.example.test%2Fx">Reset</a> (1 hour)`,
    );
    assert.equal(mail.text, renderMail(reset, context).text, 'no .txt file: the built-in text');
    const welcome = renderMailWithOverrides(messageOf('welcome'), context, overrides);
    assert.equal(welcome.text, 'Welcome Ada <b>"L"</b> to Acme ID: https://id.example.test/auth/login\n');
    assert.equal(welcome.subject, renderMail(messageOf('welcome'), context).subject);
    // A template without a file is the built-in one, whole.
    assert.deepEqual(renderMailWithOverrides(messageOf('login-code'), context, overrides), renderMail(messageOf('login-code'), context));
    // A value with a line break cannot add a header line to the subject.
    const { overrides: named } = readTemplateOverrides(templatesDir({ 'passkey-changed.subject': 'Passkey {{passkey_name}} {{change}}' }));
    const passkey = {
      ...messageOf('passkey-changed'),
      data: { ...SAMPLES['passkey-changed'], passkeyName: 'a\r\nBcc: x@y' },
    } as MailMessage;
    assert.equal(renderMailWithOverrides(passkey, context, named).subject, 'Passkey a Bcc: x@y removed');
  });

  it('a language folder overrides the mails in that language, over the overrides for every language', () => {
    const dir = templatesDir({
      'password-reset.subject': 'Everyone: {{product}}',
      'password-reset.txt': 'Text for everyone',
      'de/password-reset.subject': 'Nur Deutsch: {{product}}',
      'pt-BR/welcome.subject': 'Bem-vindo',
    });
    const { overrides, problems } = readTemplateOverrides(dir);
    assert.deepEqual(problems, []);
    const reset = messageOf('password-reset');
    const german = renderMailWithOverrides({ ...reset, locale: 'de' }, context, overrides);
    assert.equal(german.subject, 'Nur Deutsch: Acme ID');
    assert.equal(german.text, 'Text for everyone', 'the shared .txt where the language has none');
    assert.equal(renderMailWithOverrides({ ...reset, locale: 'fr' }, context, overrides).subject, 'Everyone: Acme ID');
    assert.equal(renderMailWithOverrides(reset, context, overrides).subject, 'Everyone: Acme ID', 'DEFAULT_LOCALE (en)');
    assert.equal(renderMailWithOverrides({ ...messageOf('welcome'), locale: 'pt-BR' }, context, overrides).subject, 'Bem-vindo');
    const english = renderMailWithOverrides(messageOf('welcome'), context, overrides);
    assert.equal(english.subject, renderMail(messageOf('welcome'), context).subject);
    // A folder that is not a language, or a language folder inside one, is refused.
    const refused = readTemplateOverrides(templatesDir({ 'xx/welcome.subject': 'x', 'de/fr/welcome.subject': 'y' })).problems;
    assert.equal(refused.length, 2, refused.join('\n'));
    assert.match(refused.join('\n'), /xx: not an override file .*and folders en\/, de\//);
  });

  it('unknown files, templates and placeholders, and malformed ones, are refused naming the file', () => {
    const dir = templatesDir({
      'password-reset.txt': 'Reset: {{token}}',
      'welcome.html': '<p>{{login_url}</p>',
      'nope.txt': 'x',
      'README.md': 'x',
      'login-code.subject': 'Your code\n{{code}}',
      '.keep': '',
    });
    const { problems } = readTemplateOverrides(dir);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(
      problems.join('\n'),
      /README\.md: not an override file \(names are <template>\.subject, <template>\.txt or <template>\.html, and folders en\/, de\/, fr\/, es\/, pt-BR\/, ja\/\)/,
    );
    assert.match(problems.join('\n'), /login-code\.subject: a subject must be one line/);
    assert.match(problems.join('\n'), /nope\.txt: there is no mail template "nope" \(templates: password-reset, /);
    assert.match(
      problems.join('\n'),
      /password-reset\.txt: unknown placeholder \{\{token\}\} \(this template has \{\{product\}\}, \{\{name\}\}, \{\{greeting\}\}, \{\{url\}\}, \{\{expires\}\}\)/,
    );
    assert.match(problems.join('\n'), /welcome\.html: a "\{\{" or "\}\}" that is not part of a \{\{placeholder\}\}/);
    assert.match(readTemplateOverrides(join(root, 'missing')).problems[0] as string, /cannot read .*missing: no such directory/);
  });

  it('TEMPLATES_DIR problems stop the start', () => {
    const dir = templatesDir({ 'welcome.txt': '{{code}}' });
    assert.throws(
      () => loadConfig({ DATA_DIR: root, SECRET_KEYS: 'k'.repeat(40), TEMPLATES_DIR: dir }),
      (error: unknown) =>
        error instanceof ConfigError && /TEMPLATES_DIR: .*welcome\.txt: unknown placeholder \{\{code\}\}/.test(error.message),
    );
    const ok = loadConfig({ DATA_DIR: root, SECRET_KEYS: 'k'.repeat(40), TEMPLATES_DIR: templatesDir({ 'welcome.txt': '{{login_url}}' }) });
    assert.deepEqual([...ok.brand.templates.keys()], ['welcome']);
  });

  it('docs/theming.md lists each template with exactly its placeholders', () => {
    const doc = readFileSync(new URL('../../../docs/theming.md', import.meta.url), 'utf8');
    const rows = Object.fromEntries(
      [...doc.matchAll(/^\| `([a-z-]+)` \| (.+) \|$/gm)].map((m) => [
        m[1],
        [...(m[2] as string).matchAll(/\{\{(\w+)\}\}/g)].map((p) => p[1]),
      ]),
    );
    assert.deepEqual(rows, TEMPLATE_PLACEHOLDERS);
    for (const name of COMMON_PLACEHOLDERS) assert.ok(doc.includes(`\`{{${name}}}\``), name);
  });

  it('parseTemplate splits literals and placeholders', () => {
    assert.deepEqual(parseTemplate('a {{x}} b {{ y }}', ['x', 'y']), { parts: ['a ', 'x', ' b ', 'y', ''] });
    assert.deepEqual(parseTemplate('no slots', []), { parts: ['no slots'] });
  });
});
