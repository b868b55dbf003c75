import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { t } from '../i18n/index.ts';
import { AppError } from '../kernel/errors.ts';
import { FORM_PROBLEM, type FormErrors, formExpiredMessage, hasErrors, keptValues } from '../views/forms.ts';
import type { Html } from '../views/html.ts';
import { type HttpKit, sendPage } from './kit.ts';

/** What a form page shows again: what was typed (never passwords or codes) and every problem. */
export interface FormAgain {
  values: Readonly<Record<string, string | undefined>>;
  errors: FormErrors;
}

/**
 * An HTML form route's way of answering bad input with the form again instead of an error page:
 * a schema failure or an expired CSRF token re-renders the page with every problem at once.
 */
export interface FormPage {
  /** The body schema (also the route's `schema.body`), checked here with every error collected. */
  body: TSchema;
  /**
   * How problems name each field, as a phrase: `{ email: () => t('login.field.email') }` ("your
   * email address"). A function is called when a problem is shown, in the request's language.
   */
  names: Readonly<Record<string, FieldName>>;
  /** Checks across fields or beyond the schema (passwords match, an address's syntax), on typed values. */
  check?: (values: Readonly<Record<string, string | undefined>>) => FormErrors;
  /**
   * The page again (it calls the CSRF guard for a fresh token, and names the signed-in user), or
   * undefined when it answered otherwise (a redirect to sign in).
   */
  render: (request: FastifyRequest, reply: FastifyReply, again: FormAgain) => Html | undefined | Promise<Html | undefined>;
}

/** A field's name in problems: a function giving the phrase in the current language. */
export type FieldName = () => string;

/** The phrase naming `name` in problems, in the current language. */
function nameOf(page: FormPage, name: string): string {
  const given = page.names[name];
  if (given === undefined) return t('fieldCheck.named', { name });
  return given();
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by formRoute: how this HTML form answers bad input. */
    form?: FormPage;
  }
}

/**
 * The signed-in session for a form answered before its handler ran: a schema failure or a refused
 * CSRF token comes before the preHandler that loads `request.auth`.
 */
export async function loadAuth(kit: HttpKit, request: FastifyRequest): Promise<void> {
  const token = request.cookies[kit.cookies.session];
  if (!request.auth && token) request.auth = await kit.deps.sessions.resolve(token);
}

/** Route options for an HTML form: its body schema, and the page that answers its problems. */
export function formRoute(page: FormPage, querystring?: TSchema) {
  return { schema: { body: page.body, ...(querystring ? { querystring } : {}) }, config: { form: page } };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface Limits {
  minLength?: number;
  maxLength?: number;
}

/** One sentence per schema problem, naming the field as a person reads it, in the request's language. */
function messageFor(name: string, label: string, value: unknown, schema: Limits): string {
  if (typeof value !== 'string' || value === '') {
    if (value === undefined || value === '') return capitalise(t('fieldCheck.enter', { label }));
    return capitalise(t('fieldCheck.invalid', { label }));
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    return capitalise(t('fieldCheck.tooLong', { label, max: String(schema.maxLength) }));
  }
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    return capitalise(t('fieldCheck.tooShort', { label, min: String(schema.minLength) }));
  }
  return capitalise(t(name === 'method' ? 'fieldCheck.chooseOption' : 'fieldCheck.invalid', { label }));
}

/**
 * Every problem with a posted form, in the schema's field order: each field's first schema
 * problem, then the page's own checks for fields still without one; unknown fields are a
 * problem of the form. The CSRF field is the guard's business, not the person's.
 */
export function collectFormErrors(page: FormPage, body: unknown): FormErrors {
  const values = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const errors: Record<string, string> = {};
  const unknown: string[] = [];
  for (const problem of Value.Errors(page.body, values)) {
    const name = problem.path.replace(/^\//, '').split('/')[0] ?? '';
    if (name === '' || name === '_csrf' || name in errors) continue;
    if (!(name in page.names) && !Object.hasOwn((page.body as { properties?: object }).properties ?? {}, name)) {
      unknown.push(name.slice(0, 40));
      continue;
    }
    errors[name] = messageFor(name, nameOf(page, name), values[name], problem.schema as Limits);
  }
  const typed = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  for (const [name, message] of Object.entries(page.check?.(typed) ?? {})) {
    if (!(name in errors)) errors[name] = message;
  }
  if (unknown.length > 0) errors[FORM_PROBLEM] = t('fieldCheck.unknown', { fields: unknown.join(', ') });
  return inFormOrder(page, errors);
}

/** The problem of the whole form first, then the fields in the order the form shows them. */
export function inFormOrder(page: FormPage, errors: FormErrors): FormErrors {
  const order = [FORM_PROBLEM, ...Object.keys(page.names)];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}

/** The form again with these problems and the typed values (never passwords or codes). */
export async function sendFormAgain(
  request: FastifyRequest,
  reply: FastifyReply,
  page: FormPage,
  errors: FormErrors,
  status = 400,
): Promise<FastifyReply> {
  const html = await page.render(request, reply, { values: keptValues(request.body), errors });
  return html ? sendPage(reply, html, status) : reply;
}

/**
 * The error handler's first stop for an HTML form route: an expired or missing CSRF token (403)
 * or a schema failure (400) answers with the form again, every problem next to its field. False
 * for anything else, which keeps its usual answer.
 */
export async function answerFormProblem(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const page = request.routeOptions.config?.form;
  if (!page || request.method !== 'POST') return false;
  const csrf = error instanceof AppError && error.code === 'CSRF_FAILED';
  if (!csrf && !(error as FastifyError).validation) return false;
  // A schema failure outside the body (a query string) is not the person's typing: usual answer.
  if (!csrf && (error as FastifyError).validationContext !== 'body') return false;
  const found: Record<string, string> = { ...collectFormErrors(page, request.body) };
  // A keyword the collector does not check (an enum): the validator's own first problem.
  const first = (error as FastifyError).validation?.[0];
  if (!csrf && Object.keys(found).length === 0 && first) {
    const name = first.instancePath.replace(/^\//, '').split('/')[0] || String(first.params?.missingProperty ?? '');
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (name && name !== '_csrf') found[name] = messageFor(name, nameOf(page, name), body[name], {});
  }
  const errors = csrf ? { [FORM_PROBLEM]: formExpiredMessage(), ...found } : found;
  if (!hasErrors(errors)) return false;
  try {
    await sendFormAgain(request, reply, page, errors, csrf ? 403 : 400);
    return true;
  } catch (failure) {
    request.log.error({ err: failure }, 'form page could not be shown again');
    return false;
  }
}
