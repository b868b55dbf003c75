import { catalogue } from '../../i18n/catalogue.ts';
import { t, th } from '../../i18n/index.ts';
import { type Html, html } from '../../views/html.ts';
import { layout } from '../../views/layout.ts';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  maxLength?: number;
  minLength?: number;
  description?: string;
  $ref?: string;
};
type Response = { description?: string; content?: Record<string, { schema?: Schema }>; 'x-error-codes'?: string[] };
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, unknown>>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  parameters?: Array<{ name: string; in: string; schema?: Schema }>;
  responses?: Record<string, Response>;
};
/** The parts of the OpenAPI document the page reads. */
export type ApiDocument = {
  info: { title: string; version: string };
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths?: Record<string, Record<string, Operation>>;
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A short type for a schema: `string (1-320 characters)`, `"link" | "code"`, `object`. */
function typeOf(schema: Schema | undefined): string {
  if (!schema) return 'any';
  if (schema.$ref) return schema.$ref.split('/').pop() ?? 'object';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  if (schema.maxLength === undefined) return type;
  return t('apidocs.typeBounds', { type, min: schema.minLength ?? 0, max: schema.maxLength });
}

/** A success body in short: `{message, user?}`, `User`, `{user} or SecondFactorRequired`. */
function shapeOf(schema: Schema | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop() ?? 'object';
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(shapeOf).join(t('apidocs.or'));
  if (schema.properties) {
    const required = new Set(schema.required ?? []);
    return `{${Object.keys(schema.properties)
      .map((name) => (required.has(name) ? name : `${name}?`))
      .join(', ')}}`;
  }
  return typeOf(schema);
}

/** Text with `backticks` shown as code. */
function prose(text: string): Html {
  return html`${text.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

function who(security: Operation['security']): string {
  if (!security || security.length === 0) return t('apidocs.who.anyone');
  if (security.some((s) => 'pendingLogin' in s)) return t('apidocs.who.pending');
  if (security.some((s) => Object.keys(s).length === 0)) return t('apidocs.who.optional');
  return t('apidocs.who.session');
}

function body(operation: Operation): Html {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  if (!schema) return html``;
  const fields = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const optional = operation.requestBody?.required === false ? 'optional' : 'required';
  if (fields.length === 0) return html`<p>${t('apidocs.body.empty', { optional })}</p>`;
  return html`<p>${t('apidocs.body.fields', { optional })}</p>
<table><thead><tr><th scope="col">${t('apidocs.body.field')}</th><th scope="col">${t('apidocs.body.type')}</th><th scope="col">${t('apidocs.body.required')}</th></tr></thead>
<tbody>${fields.map(([name, field]) => html`<tr><td><code>${name}</code></td><td>${typeOf(field)}</td><td>${required.has(name) ? t('apidocs.yes') : t('apidocs.no')}</td></tr>`)}</tbody></table>`;
}

/**
 * The document's prose in the page's language. GET /api/openapi.json stays English (a machine
 * document, built once): its summaries, descriptions and answers are written once, in the operation
 * tables (*-operations.ts), next to the codes and schemas they explain. The page finds their
 * translations by the operation's stable id, `apidocs.op.<operationId>.summary`, `.description`
 * and `.response.<status>` (apidocs-operations.json); the English there is held equal to the
 * tables by test/e2e/api-docs.test.ts, so the page in English reads exactly as the document. A text
 * without a message (an endpoint not described yet) is shown as the document gives it.
 */
function proseOf(operation: Operation, part: string, english: string | undefined): string {
  if (!english) return '';
  if (!operation.operationId) return english;
  const key = `apidocs.op.${operation.operationId}.${part}`;
  return catalogue('en')?.[key] === undefined ? english : t(key);
}

function responses(operation: Operation): Html {
  const entries = Object.entries(operation.responses ?? {});
  return html`<table><thead><tr><th scope="col">${t('apidocs.status')}</th><th scope="col">${t('apidocs.meaning')}</th></tr></thead>
<tbody>${entries.map(([status, response]) => {
    const codes = response['x-error-codes'];
    const meaning = codes
      ? html`${codes.map((code, i) => html`${i > 0 ? ', ' : ''}<code>${code}</code>`)}`
      : html`${response.content?.['application/json']?.schema ? html`<code>${shapeOf(response.content['application/json'].schema)}</code> ` : ''}${prose(proseOf(operation, `response.${status}`, response.description))}`;
    return html`<tr><td>${status}</td><td>${meaning}</td></tr>`;
  })}</tbody></table>`;
}

function endpoint(method: string, path: string, operation: Operation): Html {
  return html`<section class="endpoint">
<h3><code>${method.toUpperCase()} ${path}</code></h3>
<p>${t('apidocs.summary', { summary: proseOf(operation, 'summary', operation.summary), who: who(operation.security) })}</p>
${operation.description ? html`<p>${prose(proseOf(operation, 'description', operation.description))}</p>` : ''}
${body(operation)}
${responses(operation)}
</section>`;
}

/** The API reference: the OpenAPI document as one server-rendered page (no script), grouped by tag. */
export function apiDocsPage(document: ApiDocument): Html {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m, path, operation: item[m] as Operation })),
  );
  const tags = document.tags ?? [];
  const sections = tags
    .map((tag) => ({ tag, list: operations.filter((o) => o.operation.tags?.includes(tag.name)) }))
    .filter(({ list }) => list.length > 0);
  const untagged = operations.filter((o) => !o.operation.tags?.some((t) => tags.some((tag) => tag.name === t)));
  if (untagged.length > 0) sections.push({ tag: { name: 'Other', description: '' }, list: untagged });
  const code = (chunks: Html) => html`<code>${chunks}</code>`;
  const server = document.servers?.[0]?.url ?? '';
  return layout(
    { title: t('apidocs.title') },
    html`<p>${th('apidocs.intro', {
      version: document.info.version,
      server,
      errorShape: '{"error": {"code", "message"}}',
      code,
      link: (chunks) => html`<a href="/api/openapi.json">${chunks}</a>`,
    })}</p>
<nav aria-label="${t('apidocs.sections')}"><ul>${sections.map(({ tag }) => html`<li><a href="#${slug(tag.name)}">${tagName(tag.name)}</a></li>`)}</ul></nav>
${sections.map(
  ({ tag, list }) => html`<section id="${slug(tag.name)}">
<h2>${tagName(tag.name)}</h2>
${tag.description ? html`<p>${tagDescription(tag)}</p>` : ''}
${list.map(({ method, path, operation }) => endpoint(method, path, operation))}
</section>`,
)}`,
  );
}

/** A tag's name in the page's language (its anchor stays the English one, a stable link). */
function tagName(name: string): string {
  return t(`apidocs.tag.${slug(name)}`);
}

function tagDescription(tag: { name: string; description?: string }): string {
  return t(`apidocs.tagDescription.${slug(tag.name)}`);
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
