import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { t } from '../i18n/index.ts';
import { AppError, ERROR_CODES, type ErrorCode, errorBody, errorMessage } from '../kernel/errors.ts';
import { storageFault } from '../store/database.ts';
import type { StorageFaults } from '../store/storage-faults.ts';
import { errorPage } from '../views/error-page.ts';
import { answerFormProblem } from './form-pages.ts';
import { isLoopbackAddress } from './loopback.ts';
import { decodedPath, isApiRequest } from './request-path.ts';

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns a schema failure into a sentence naming the field, e.g. `"email" must be a string`, in the request's language. */
export function describeValidation(errors: AjvError[]): string {
  const first = errors[0];
  if (!first) return errorMessage('VALIDATION_FAILED');
  const field = (first.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const name = field ? t('http.validation.field', { field }) : t('http.validation.theBody');
  switch (first.keyword) {
    case 'required':
      return t('http.validation.required', { field: String(first.params?.missingProperty) });
    case 'additionalProperties':
      return t('http.validation.notAllowed', { field: String(first.params?.additionalProperty).slice(0, 40) });
    case 'type':
      return t('http.validation.type', { name, type: String(first.params?.type) });
    case 'maxLength':
      return t('http.validation.maxLength', { name, limit: String(first.params?.limit) });
    case 'minLength':
      return t('http.validation.minLength', { name });
    case 'enum':
      return t('http.validation.enum', { name, values: ((first.params?.allowedValues as unknown[]) ?? []).map(String).join(', ') });
    default:
      return t('http.validation.invalid', { name });
  }
}

/** Seconds a client should wait before retrying while the database is unreachable or cannot be written. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/** What the operator reads in the log for each storage fault SQLite reports. */
function describeStorageFault(cause: string): string {
  if (cause === 'SQLITE_FULL') return 'the disk holding the database is full';
  if (cause.startsWith('SQLITE_READONLY')) return 'the database file or its directory is read-only';
  if (cause.startsWith('SQLITE_CANTOPEN')) return 'the database file cannot be opened';
  return 'the database file cannot be written (read-only file or filesystem, or a failing disk)';
}

function classify(
  error: FastifyError | AppError,
  isDatabaseUnavailable: (error: unknown) => boolean,
): { code: ErrorCode; message?: string; retryAfter?: number } {
  if (error instanceof AppError) return { code: error.code, message: error.message, retryAfter: error.retryAfterSeconds };
  if (isDatabaseUnavailable(error)) {
    const code = storageFault(error) ? 'DATABASE_NOT_WRITABLE' : 'DATABASE_UNAVAILABLE';
    return { code, retryAfter: DATABASE_RETRY_AFTER_SECONDS };
  }
  if (error.validation) return { code: 'VALIDATION_FAILED', message: describeValidation(error.validation as AjvError[]) };
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'INVALID_JSON', message: t('http.request.emptyJson') };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'VALIDATION_FAILED', message: t('http.request.contentLength') };
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return { code: 'INVALID_JSON' };
  if (error.statusCode === 405) return { code: 'METHOD_NOT_ALLOWED' };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { code: 'VALIDATION_FAILED', message: t('http.request.unreadable') };
  }
  return { code: 'INTERNAL_ERROR' };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message?: string, retryAfter?: number) {
  const status = ERROR_CODES[code].status;
  if (retryAfter) reply.header('retry-after', String(retryAfter));
  reply.status(status);
  if (isApiRequest(request)) {
    return reply.type('application/json; charset=utf-8').send(errorBody(code, message));
  }
  return reply.type('text/html; charset=utf-8').send(errorPage(status, message ?? errorMessage(code)).value);
}

/**
 * One handler maps every error to a listed code; 5xx never carry internals. A database outage
 * (as the engine's capabilities recognise it) is 503 DATABASE_UNAVAILABLE with Retry-After; the
 * pools reconnect by themselves, so the service recovers without a restart. A SQLite file that
 * cannot be written (full disk, read-only file) is 503 DATABASE_NOT_WRITABLE with Retry-After and
 * one warning naming SQLite's code, and /readyz answers 503 for a while (`storageFaults`); writes
 * work again once the file is writable, no restart needed.
 */
export function registerErrorHandler(
  app: FastifyInstance,
  isDatabaseUnavailable: (error: unknown) => boolean = () => false,
  storageFaults?: StorageFaults,
): void {
  app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
    // An HTML form with bad input or an expired token answers with the form again (form-pages.ts).
    if (!isApiRequest(request) && (await answerFormProblem(error, request, reply))) return reply;
    const { code, message, retryAfter } = classify(error, isDatabaseUnavailable);
    if (code === 'DATABASE_UNAVAILABLE') {
      request.log.warn({ reason: error.message }, 'database unavailable: answered 503');
    }
    if (code === 'DATABASE_NOT_WRITABLE') {
      const cause = storageFault(error) as string;
      storageFaults?.note(error);
      request.log.warn(
        { cause, reason: error.message },
        `database cannot be written (${cause}: ${describeStorageFault(cause)}): answered 503`,
      );
    }
    if (code === 'INTERNAL_ERROR') {
      request.log.error({ err: error }, 'request failed');
      return sendError(request, reply, code, undefined);
    }
    return sendError(request, reply, code, message, retryAfter);
  });
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(request);
    if (allowed.length === 0) return sendError(request, reply, 'NOT_FOUND');
    reply.header('allow', allowed.join(', '));
    return sendError(
      request,
      reply,
      'METHOD_NOT_ALLOWED',
      t('http.request.methodNotAllowed', { allowed: allowed.join(', '), method: request.method }),
    );
  });
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The methods the router serves at this request's path when its own method has no route (405
 * rather than 404, RFC 9110 15.5.6); none when a route for its method handed it over as not found. The dev mailbox is not revealed to the clients it refuses.
 */
function allowedMethods(request: FastifyRequest): string[] {
  const url = request.url.split('?')[0] ?? '/';
  if (decodedPath(url).startsWith('/dev/') && !isLoopbackAddress(request.socket.remoteAddress)) return [];
  const served = (method: string) => {
    try {
      const route = request.server.findRoute({ method, url });
      // The catch-all `OPTIONS *` that answers CORS preflights (cors.ts) serves no address.
      return route !== null && !('*' in (route.params as Record<string, string>));
    } catch {
      return false;
    }
  };
  // A route that exists for this method and sent its request here (reply.callNotFound: a feature
  // turned off) is a plain 404.
  if (served(request.method)) return [];
  return METHODS.filter(served);
}
