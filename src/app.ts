import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { devMailboxRoutes } from './courier/mailbox-routes.ts';
import type { Deps } from './deps.ts';
import { authzRoutes } from './flows/authz/routes.ts';
import { confirmationRoutes } from './flows/confirmation/routes.ts';
import { checkInboxRoutes } from './flows/inbox/routes.ts';
import { loginRoutes } from './flows/login/routes.ts';
import { mfaEnrolRoutes } from './flows/mfa/enrol-routes.ts';
import { secondStepRoutes } from './flows/mfa/second-step-routes.ts';
import { oidcInteractionRoutes } from './flows/oidc/interaction-routes.ts';
import { mountOidcProvider } from './flows/oidc/mount.ts';
import { passkeyApiRoutes } from './flows/passkeys/api-routes.ts';
import { passkeyPageRoutes } from './flows/passkeys/pages.ts';
import { passwordlessRoutes } from './flows/passwordless/routes.ts';
import { phoneRoutes } from './flows/phone/routes.ts';
import { reauthRoutes } from './flows/reauth/routes.ts';
import { recoveryRoutes } from './flows/recovery/routes.ts';
import { registrationRoutes } from './flows/registration/routes.ts';
import { ReturnToRule } from './flows/return-to.ts';
import { emailChangeLinkRoutes } from './flows/settings/email-change-routes.ts';
import { settingsRoutes } from './flows/settings/routes.ts';
import { usernameRoutes } from './flows/username/routes.ts';
import { registerApiGuard, registerFormGuard } from './http/api-guard.ts';
import { registerBasePath, requestRewriter, withBasePathPages } from './http/base-path.ts';
import { registerBrand, withBrandedPages } from './http/brand.ts';
import { CookiePolicy } from './http/cookies.ts';
import { registerCors } from './http/cors.ts';
import { CsrfGuard } from './http/csrf.ts';
import { registerErrorHandler, sendError } from './http/error-handler.ts';
import { registerFormParser } from './http/form-parser.ts';
import type { HttpKit } from './http/kit.ts';
import { lazySchemaCompilers } from './http/lazy-schema-compilers.ts';
import { registerLocale } from './http/locale.ts';
import { openApiRoutes, registerOpenApi } from './http/openapi/routes.ts';
import { operationsRoutes } from './http/operations-routes.ts';
import { registerRequestMetrics } from './http/request-metrics.ts';
import { isApiRequest } from './http/request-path.ts';
import { registerSecurityHeaders, setFallbackSecurityHeaders } from './http/security-headers.ts';
import { registerSessionLoader } from './http/session-loader.ts';
import { staticAsset } from './http/static-assets.ts';
import { t } from './i18n/index.ts';
import { PASSWORD_TOGGLE_SCRIPT } from './views/layout.ts';

const STYLESHEET = readFileSync(new URL('./views/style.css', import.meta.url), 'utf8');
const PASSWORD_TOGGLE = readFileSync(new URL('./views/assets/password-toggle.js', import.meta.url), 'utf8');

export interface BuildAppOptions {
  /** Called for every route as it is added (tests list the routes with it). */
  onRoute?: (route: RouteOptions) => void;
}

/** The Fastify instance with every route, not listening: tests drive it with inject or listen(0). */
export async function buildApp(deps: Deps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { config } = deps;
  const { brand } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // A hop count is valid at run time; Fastify's types only list the other forms.
    trustProxy: config.trustProxy as boolean | string,
    bodyLimit: 65_536,
    // Strict schemas (S20): no coercion of types, no silent removal of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
    // Each route's validators are compiled at its first request, not all at start-up.
    schemaController: { compilersFactory: lazySchemaCompilers() },
    routerOptions: { ignoreTrailingSlash: false },
    // `http://host/path` request targets become `/path`, and the base path of PUBLIC_URL is
    // stripped, before anything looks at request.url: inside, every path is an app path.
    rewriteUrl: requestRewriter(config.basePath),
    // Malformed URLs (`/%`) and over-long path parameters are refused before routing: answer them
    // in the one error shape too, not Fastify's own (which echoes the URL).
    frameworkErrors: (_error, request, reply) => {
      setFallbackSecurityHeaders(reply, config.publicUrl.protocol === 'https:');
      return sendError(
        request,
        withBrandedPages(withBasePathPages(reply, config.basePath), brand),
        'VALIDATION_FAILED',
        t('http.request.badAddress'),
      );
    },
  });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  const cookies = CookiePolicy.forConfig(config);
  const kit: HttpKit = {
    deps,
    cookies,
    csrf: new CsrfGuard(deps.keyring, cookies),
    returnTo: new ReturnToRule(config.returnToAllowedOrigins),
  };

  // Before any route: it collects them for /api/openapi.json.
  await registerOpenApi(app, config, cookies);
  registerErrorHandler(app, (error) => deps.database.capabilities.isUnavailable(error), deps.database.faults);
  registerRequestMetrics(app, deps.metrics);
  registerFormParser(app);
  await app.register(cookie);
  registerLocale(app, cookies, config.i18n);
  await registerSecurityHeaders(app, cookies.secure);
  // BRAND_NAME, BRAND_LOGO, BRAND_COLOR, THEME_CSS: before the base path, which prefixes what it adds.
  registerBrand(app, brand);
  registerBasePath(app, config.basePath);
  // oidc-provider's endpoints take the raw request: hijacked here, before the guards and parsers.
  mountOidcProvider(app, deps.oidc.provider, config.publicUrl);
  // CORS for ALLOWED_ORIGINS on /api/...: preflights are answered before the guards look.
  await registerCors(app, config.allowedOrigins);
  registerApiGuard(app, cookies, config.allowedOrigins);
  registerFormGuard(app, config.allowedOrigins);
  // Every HTML form post carries a CSRF token (S12), checked before the handler runs.
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && !isApiRequest(request)) kit.csrf.verify(request);
  });
  registerSessionLoader(app, kit);

  staticAsset(app, '/assets/style.css', 'text/css; charset=utf-8', STYLESHEET);
  staticAsset(app, PASSWORD_TOGGLE_SCRIPT, 'text/javascript; charset=utf-8', PASSWORD_TOGGLE);
  await app.register(async (scope) => {
    await loginRoutes(scope, kit);
    await secondStepRoutes(scope, kit);
    await passwordlessRoutes(scope, kit);
    await registrationRoutes(scope, kit);
    await recoveryRoutes(scope, kit);
    await confirmationRoutes(scope, kit);
    await checkInboxRoutes(scope, kit);
    await settingsRoutes(scope, kit);
    await reauthRoutes(scope, kit);
    await phoneRoutes(scope, kit);
    await emailChangeLinkRoutes(scope, kit);
    await mfaEnrolRoutes(scope, kit);
    await passkeyApiRoutes(scope, kit);
    await passkeyPageRoutes(scope, kit);
    await usernameRoutes(scope, kit);
    await devMailboxRoutes(scope, kit);
    await operationsRoutes(scope, kit);
    await authzRoutes(scope, kit);
    await oidcInteractionRoutes(scope, kit, deps.oidc.provider);
    await openApiRoutes(scope, kit);
  });
  return app;
}
