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
  const bounds = schema.maxLength !== undefined ? ` (${schema.minLength ?? 0}-${schema.maxLength} characters)` : '';
  return type + bounds;
}

/** A success body in short: `{message, user?}`, `User`, `{user} or SecondFactorRequired`. */
function shapeOf(schema: Schema | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop() ?? 'object';
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(shapeOf).join(' or ');
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
  if (!security || security.length === 0) return 'anyone';
  if (security.some((s) => 'pendingLogin' in s)) return 'a sign-in waiting for its second step (pending-login cookie)';
  if (security.some((s) => Object.keys(s).length === 0)) return 'anyone; uses the session cookie when there is one';
  return 'signed in (session cookie)';
}

function body(operation: Operation): Html {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  if (!schema) return html``;
  const fields = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const optional = operation.requestBody?.required === false ? ' (may be left out)' : '';
  if (fields.length === 0) return html`<p>Body: an empty JSON object${optional}.</p>`;
  return html`<p>Body${optional}:</p>
<table><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Required</th></tr></thead>
<tbody>${fields.map(([name, field]) => html`<tr><td><code>${name}</code></td><td>${typeOf(field)}</td><td>${required.has(name) ? 'yes' : 'no'}</td></tr>`)}</tbody></table>`;
}

function responses(operation: Operation): Html {
  const entries = Object.entries(operation.responses ?? {});
  return html`<table><thead><tr><th scope="col">Status</th><th scope="col">Meaning</th></tr></thead>
<tbody>${entries.map(([status, response]) => {
    const codes = response['x-error-codes'];
    const meaning = codes
      ? html`${codes.map((code, i) => html`${i > 0 ? ', ' : ''}<code>${code}</code>`)}`
      : html`${response.content?.['application/json']?.schema ? html`<code>${shapeOf(response.content['application/json'].schema)}</code> ` : ''}${prose(response.description ?? '')}`;
    return html`<tr><td>${status}</td><td>${meaning}</td></tr>`;
  })}</tbody></table>`;
}

function endpoint(method: string, path: string, operation: Operation): Html {
  return html`<section class="endpoint">
<h3><code>${method.toUpperCase()} ${path}</code></h3>
<p>${operation.summary ?? ''}. Who: ${who(operation.security)}.</p>
${operation.description ? html`<p>${prose(operation.description)}</p>` : ''}
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
  const server = document.servers?.[0]?.url ?? '';
  return layout(
    { title: 'API reference' },
    html`<p>${document.info.title} ${document.info.version}. Paths are relative to <code>${server}</code>. Bodies are JSON; every error is <code>{"error": {"code", "message"}}</code>. The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
<nav aria-label="Sections"><ul>${sections.map(({ tag }) => html`<li><a href="#${slug(tag.name)}">${tag.name}</a></li>`)}</ul></nav>
${sections.map(
  ({ tag, list }) => html`<section id="${slug(tag.name)}">
<h2>${tag.name}</h2>
${tag.description ? html`<p>${tag.description}</p>` : ''}
${list.map(({ method, path, operation }) => endpoint(method, path, operation))}
</section>`,
)}`,
  );
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
