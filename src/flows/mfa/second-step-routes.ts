import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormPage, formRoute } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendApiError, sendPage, setSessionCookie } from '../../http/kit.ts';
import { ReturnToQuery, returnToOf } from '../../http/return-to.ts';
import { Csrf, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { ERROR_CODES, errorMessage } from '../../kernel/errors.ts';
import { errorsForCode, FORM_PROBLEM, type FormErrors, formProblem } from '../../views/forms.ts';
import type { Html } from '../../views/html.ts';
import { issueDeviceCookie } from '../login/device-cookies.ts';
import { passkeyOffered } from '../passkeys/pages.ts';
import { withReturnTo } from '../return-to.ts';
import { SECOND_FACTOR_METHODS, type SecondFactorMethod } from './factors.ts';
import { SecondStepCookies } from './second-step-cookies.ts';
import type { PendingSecondStep, SecondStepDone, SecondStepProblem } from './second-step-port.ts';
import { secondFactorExpiredPage, secondFactorPage } from './second-step-views.ts';

const Method = Type.Union(SECOND_FACTOR_METHODS.map((m) => Type.Literal(m)));
const SendMethod = Type.Union([Type.Literal('email_code'), Type.Literal('sms_code')]);
const Code = Type.String({ minLength: 1, maxLength: 64 });

/** What a problem says, in the request's language. */
function messageOf(problem: SecondStepProblem): string {
  return problem === 'METHOD_UNAVAILABLE' ? t('mfa.second.methodUnavailable') : errorMessage(problem);
}

/** The error code a problem is answered with (an unavailable method is a request that is not valid). */
function codeOf(problem: SecondStepProblem) {
  return problem === 'METHOD_UNAVAILABLE' ? 'VALIDATION_FAILED' : problem;
}

/** The remembered-device cookie of a request, for LoginService.login. */
export function rememberedDeviceOf(kit: HttpKit, request: FastifyRequest): string | undefined {
  return request.cookies[new SecondStepCookies(kit.cookies).remember];
}

/** A login that needs its second factor: only the pending-login cookie, no session (S27). */
export function setPendingLoginCookie(kit: HttpKit, reply: FastifyReply, step: PendingSecondStep): void {
  const cookies = new SecondStepCookies(kit.cookies);
  reply.setCookie(cookies.pending, step.pendingToken, cookies.pendingOptions());
}

/** POST /api/login's answer for an account with a second factor. */
export function sendSecondFactorRequired(kit: HttpKit, reply: FastifyReply, step: PendingSecondStep): FastifyReply {
  setPendingLoginCookie(kit, reply, step);
  return reply.send({ secondFactorRequired: true, methods: step.methods });
}

/**
 * After a passed second step: the session, a new CSRF secret, the pending cookie gone, the
 * sign-in throttle's device cookie (as after every password sign-in: this browser gave the right
 * password) and the remembered-device cookie if asked.
 */
export async function finishSecondStep(kit: HttpKit, request: FastifyRequest, reply: FastifyReply, done: SecondStepDone): Promise<void> {
  const cookies = new SecondStepCookies(kit.cookies);
  await kit.deps.sessions.revoke(request.cookies[kit.cookies.session]);
  setSessionCookie(kit, reply, done.session);
  issueDeviceCookie(reply, kit.cookies, kit.deps.deviceCookies, done.user.id);
  reply.clearCookie(cookies.pending, cookies.pendingOptions(0));
  if (done.rememberCookie) reply.setCookie(cookies.remember, done.rememberCookie, cookies.rememberOptions());
}

/** The pending-login cookie of a request. */
export function pendingLoginOf(kit: HttpKit, request: FastifyRequest): string | undefined {
  return request.cookies[new SecondStepCookies(kit.cookies).pending];
}

/** The second step of sign-in: JSON API and pages over SecondStepService. */
export async function secondStepRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const secondStep = kit.deps.mfa.secondStep;
  const cookies = new SecondStepCookies(kit.cookies);
  const pendingOf = (request: FastifyRequest) => request.cookies[cookies.pending];

  const signIn = (request: FastifyRequest, reply: FastifyReply, done: SecondStepDone) => finishSecondStep(kit, request, reply, done);

  // --- JSON API -----------------------------------------------------------------------------
  app.post(
    '/api/login/second-factor',
    { schema: { body: strictObject({ method: Method, code: Code, rememberDevice: Type.Optional(Type.Boolean()) }) } },
    async (request, reply) => {
      const body = request.body as { method: SecondFactorMethod; code: string; rememberDevice?: boolean };
      const entry = { method: body.method, code: body.code, rememberDevice: body.rememberDevice === true };
      const result = await secondStep.complete(pendingOf(request), entry, requestContext(request));
      if (!result.ok) {
        if (result.code === 'SECOND_FACTOR_EXPIRED') reply.clearCookie(cookies.pending, cookies.pendingOptions(0));
        return sendApiError(reply, codeOf(result.code), messageOf(result.code), result.retryAfterSeconds);
      }
      await signIn(request, reply, result.value);
      return reply.send({ user: result.value.user });
    },
  );

  app.post('/api/login/second-factor/send', { schema: { body: strictObject({ method: SendMethod }) } }, async (request, reply) => {
    const { method } = request.body as { method: 'email_code' | 'sms_code' };
    const result = await secondStep.sendCode(pendingOf(request), method, requestContext(request));
    if (!result.ok) return sendApiError(reply, codeOf(result.code), messageOf(result.code), result.retryAfterSeconds);
    return reply.send({ message: t('mfa.second.sent'), expiresInSeconds: result.value.expiresInSeconds });
  });

  // --- Pages --------------------------------------------------------------------------------
  /**
   * The second-step page for the pending sign-in, showing `method` when the account has it (else
   * its first), or the timed-out page when the pending sign-in is gone.
   */
  const secondStepHtml = async (
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      method?: string | undefined;
      errors?: FormErrors | undefined;
      info?: string | undefined;
      rememberDevice?: boolean;
      /** The account's methods when already looked up. */
      known?: SecondFactorMethod[];
      /** The methods to offer should the pending sign-in end meanwhile (none: the timed-out page). */
      fallback?: SecondFactorMethod[];
    },
  ): Promise<Html> => {
    const returnTo = returnToOf(kit, request);
    const methods = o.known ?? (await secondStep.methodsOf(pendingOf(request))) ?? o.fallback;
    if (!methods) return expiredHtml(reply, returnTo);
    const chosen = methods.find((m) => m === o.method) ?? methods[0] ?? 'totp';
    return secondFactorPage({
      csrf: kit.csrf.tokenFor(request, reply),
      method: chosen,
      methods,
      returnTo,
      errors: o.errors,
      info: o.info,
      rememberDevice: o.rememberDevice,
      passkey: await passkeyOffered(kit, pendingOf(request)),
    });
  };
  /** Problems of a posted form: the way of signing in is a hidden field, so its problem is the form's. */
  const visibleErrors = (errors: FormErrors): FormErrors => {
    const { method, ...rest } = errors;
    return method === undefined ? errors : { [FORM_PROBLEM]: method, ...rest };
  };
  /** A refused code or send as the page again: the problem at the code field, or on the form. */
  const refusedErrors = (problem: SecondStepProblem): FormErrors => errorsForCode(codeOf(problem), messageOf(problem), ['code']);

  app.get(
    '/login/second-factor',
    { schema: { querystring: Type.Object({ ...ReturnToQuery, method: Type.Optional(Method), sent: Type.Optional(Type.Literal('1')) }) } },
    async (request, reply) => {
      const query = request.query as { method?: SecondFactorMethod; sent?: '1' };
      const returnTo = returnToOf(kit, request);
      const methods = await secondStep.methodsOf(pendingOf(request));
      if (!methods) return expired(reply, returnTo);
      const method = query.method !== undefined && methods.includes(query.method) ? query.method : (methods[0] as SecondFactorMethod);
      const info = query.sent === '1' && (method === 'email_code' || method === 'sms_code') ? sentNotice(method) : undefined;
      return sendPage(reply, await secondStepHtml(request, reply, { method, info, known: methods }));
    },
  );

  const codeForm: FormPage = {
    body: strictObject({
      _csrf: Csrf,
      method: Method,
      code: Type.String({ minLength: 1, maxLength: 64 }),
      remember_device: Type.Optional(Type.Literal('on')),
    }),
    names: { method: () => t('mfa.field.method'), code: () => t('mfa.field.code'), remember_device: () => t('mfa.field.remember') },
    render: (request, reply, { values, errors }) =>
      secondStepHtml(request, reply, {
        method: values.method,
        errors: visibleErrors(errors),
        rememberDevice: values.remember_device === 'on',
      }),
  };
  app.post('/login/second-factor', formRoute(codeForm, Type.Object(ReturnToQuery)), async (request, reply) => {
    const body = request.body as { method: SecondFactorMethod; code: string; remember_device?: 'on' };
    const returnTo = returnToOf(kit, request);
    const entry = { method: body.method, code: body.code, rememberDevice: body.remember_device === 'on' };
    const result = await secondStep.complete(pendingOf(request), entry, requestContext(request));
    if (result.ok) {
      await signIn(request, reply, result.value);
      return reply.redirect(returnTo ?? '/', 303);
    }
    if (result.code === 'SECOND_FACTOR_EXPIRED') return expired(reply, returnTo);
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    const page = await secondStepHtml(request, reply, {
      method: body.method,
      errors: refusedErrors(result.code),
      rememberDevice: entry.rememberDevice,
      fallback: [body.method],
    });
    return sendPage(reply, page, ERROR_CODES[codeOf(result.code)].status);
  });

  const sendForm: FormPage = {
    body: strictObject({ _csrf: Csrf, method: SendMethod }),
    names: { method: () => t('mfa.field.method') },
    render: (request, reply, { values, errors }) =>
      secondStepHtml(request, reply, { method: values.method, errors: visibleErrors(errors) }),
  };
  app.post('/login/second-factor/send', formRoute(sendForm, Type.Object(ReturnToQuery)), async (request, reply) => {
    const { method } = request.body as { method: 'email_code' | 'sms_code' };
    const returnTo = returnToOf(kit, request);
    const result = await secondStep.sendCode(pendingOf(request), method, requestContext(request));
    if (result.ok) return reply.redirect(withReturnTo(`/login/second-factor?method=${method}&sent=1`, returnTo), 303);
    if (result.code === 'SECOND_FACTOR_EXPIRED') return expired(reply, returnTo);
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    // Sending is not typing a code: its refusal (too soon, no such way) is the form's, not the code field's.
    const errors = formProblem(messageOf(result.code));
    const page = await secondStepHtml(request, reply, { method, errors, fallback: [] });
    return sendPage(reply, page, ERROR_CODES[codeOf(result.code)].status);
  });

  /** The timed-out page, the pending-login cookie cleared. */
  function expiredHtml(reply: FastifyReply, returnTo: string | undefined): Html {
    reply.clearCookie(cookies.pending, cookies.pendingOptions(0));
    return secondFactorExpiredPage({ message: errorMessage('SECOND_FACTOR_EXPIRED'), returnTo });
  }

  function expired(reply: FastifyReply, returnTo: string | undefined) {
    return sendPage(reply, expiredHtml(reply, returnTo), ERROR_CODES.SECOND_FACTOR_EXPIRED.status);
  }
}

function sentNotice(method: 'email_code' | 'sms_code'): string {
  return t(method === 'email_code' ? 'mfa.second.sentEmail' : 'mfa.second.sentSms');
}
