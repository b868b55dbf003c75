import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults, Provider } from 'oidc-provider';
import { type FormPage, formRoute, loadAuth } from '../../http/form-pages.ts';
import { type HttpKit, sendPage } from '../../http/kit.ts';
import { Csrf, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { ERROR_CODES, errorMessage } from '../../kernel/errors.ts';
import { FORM_PROBLEM, type FormErrors } from '../../views/forms.ts';
import { addMissing, RememberedConsents, skipsConsent } from './grants.ts';
import { INTERACTION_PATH } from './settings.ts';
import { type BrowserSession, decideLoginPrompt, type FreshSignInMarker } from './sign-in-decision.ts';
import { consentPage, continuePage, interactionErrorPage } from './views.ts';

const UidParams = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The authorization request's interaction, on Latchkey's own pages: a signed-in browser
 * finishes at once (single sign-on) unless prompt=login or max_age asks for a fresh sign-in;
 * otherwise the login page, with every login rule, and back here. Then the consent page for
 * clients that are not first-party.
 */
export async function oidcInteractionRoutes(app: FastifyInstance, kit: HttpKit, providerOf: () => Promise<Provider>): Promise<void> {
  const { clock } = kit.deps;
  const consents = new RememberedConsents(kit.deps.oidc.storage.adapter('Consent'));

  app.get(`${INTERACTION_PATH}/:uid`, { schema: { params: UidParams } }, async (request, reply) => {
    const interaction = await load(request, reply);
    if (!interaction) return reply;
    const client = await clientOf(interaction);
    const appName = nameOf(client, interaction);
    const session = browserSession(request);

    if (interaction.prompt.name === 'login') {
      const stored = (interaction.result as { latchkey?: FreshSignInMarker } | undefined)?.latchkey;
      const decision = decideLoginPrompt({
        reasons: interaction.prompt.reasons,
        maxAgeSeconds: interaction.params.max_age === undefined ? undefined : Number(interaction.params.max_age),
        session,
        marker: stored,
        nowMs: clock.nowMs(),
      });
      if (decision.kind === 'sign-in') {
        if (decision.marker) {
          interaction.result = { ...interaction.result, latchkey: decision.marker };
          await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)));
        }
        return toLogin(reply, interaction);
      }
      const result: InteractionResults = {
        login: {
          accountId: decision.session.userId,
          ts: Math.floor(decision.session.authenticatedAtMs / 1000),
          // The factors the browser session was signed in with ("pwd otp" after a code); NULL: a password.
          amr: (request.auth?.session.amr ?? 'pwd').split(' '),
          remember: Number(request.auth?.session.persistent) === 1,
        },
      };
      return finish(request, reply, result, appName);
    }

    if (interaction.prompt.name === 'consent') {
      if (!session) return toLogin(reply, interaction);
      if (session.userId !== interaction.session?.accountId) return refuse(reply, t('oidc.refuse.otherUser'));
      // First-party apps are never asked (prompt=consent, which offline_access needs, included).
      if (skipsConsent(client)) return allow(request, reply, interaction, session.userId, appName);
      // An app this user allowed before, for no less than it asks now, is not asked about again.
      if (await consents.covers(session.userId, String(interaction.params.client_id), interaction.prompt.details)) {
        return allow(request, reply, interaction, session.userId, appName);
      }
      return sendPage(reply, consent(request, reply, interaction, appName));
    }
    return refuse(reply, t('oidc.refuse.unsupported'));
  });

  /** The consent page: what the application asks for, Allow or Deny (and the problems of an answer). */
  function consent(request: FastifyRequest, reply: FastifyReply, interaction: Interaction, appName: string, errors?: FormErrors) {
    const user = request.auth?.user as { email: string; name: string | null };
    const scopes = String(interaction.params.scope ?? 'openid').split(' ');
    return consentPage({ csrf: kit.csrf.tokenFor(request, reply), user, uid: interaction.uid, appName, scopes, errors });
  }

  /**
   * An answer the form did not send as it should (an expired CSRF token, a decision that is
   * neither allow nor deny): the consent page again, the problems on top (the buttons are the
   * only fields, so every problem is the form's).
   */
  const consentForm: FormPage = {
    body: strictObject({ _csrf: Csrf, decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]) }),
    names: { decision: () => t('oidc.consent.fieldName') },
    render: async (request, reply, { errors }) => {
      await loadAuth(kit, request);
      const interaction = await load(request, reply);
      if (!interaction) return undefined;
      const session = browserSession(request);
      if (interaction.prompt.name !== 'consent' || !session || session.userId !== interaction.session?.accountId) {
        refuse(reply, t('oidc.refuse.notWaiting'));
        return undefined;
      }
      const appName = nameOf(await clientOf(interaction), interaction);
      return consent(request, reply, interaction, appName, { [FORM_PROBLEM]: Object.values(errors).join(' ') });
    },
  };

  app.post(
    `${INTERACTION_PATH}/:uid/consent`,
    { ...formRoute(consentForm), schema: { params: UidParams, body: consentForm.body } },
    async (request, reply) => {
      const interaction = await load(request, reply);
      if (!interaction) return reply;
      const session = browserSession(request);
      const accountId = interaction.session?.accountId;
      if (interaction.prompt.name !== 'consent' || !session || !accountId || session.userId !== accountId) {
        return refuse(reply, t('oidc.refuse.notWaiting'));
      }
      const appName = nameOf(await clientOf(interaction), interaction);
      if ((request.body as { decision: string }).decision === 'deny') {
        return finish(request, reply, { error: 'access_denied', error_description: 'The user denied the request.' }, appName);
      }
      const details = interaction.prompt.details;
      await consents.remember(accountId, String(interaction.params.client_id), {
        scopes: String(interaction.params.scope ?? 'openid').split(' '),
        claims: Array.isArray(details.missingOIDCClaims) ? (details.missingOIDCClaims as string[]) : [],
      });
      return allow(request, reply, interaction, accountId, appName);
    },
  );

  /** Grants what the request asked for, remembered in the grant for the next authorizations. */
  async function allow(request: FastifyRequest, reply: FastifyReply, interaction: Interaction, accountId: string, appName: string) {
    const clientId = String(interaction.params.client_id);
    const provider = await providerOf();
    const grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : new provider.Grant({ accountId, clientId });
    if (!grant) return refuse(reply, t('oidc.refuse.invalid'));
    addMissing(grant, interaction.prompt.details);
    const grantId = await grant.save();
    return finish(request, reply, { consent: { grantId } }, appName);
  }

  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Interaction | undefined> {
    try {
      const interaction = await (await providerOf()).interactionDetails(request.raw, reply.raw);
      if (interaction.uid === (request.params as { uid: string }).uid) return interaction;
    } catch (error) {
      if ((error as { name?: string }).name !== 'SessionNotFound') throw error;
    }
    refuse(reply, errorMessage('OIDC_REQUEST_EXPIRED'));
    return undefined;
  }

  /** The registered client the request names (looked up once per request). */
  async function clientOf(interaction: Interaction): Promise<{ [key: string]: unknown } | undefined> {
    return (await (await providerOf()).Client.find(String(interaction.params.client_id))) as unknown as
      | { [key: string]: unknown }
      | undefined;
  }

  /** Back to the login page, which returns here once the user has signed in. */
  function toLogin(reply: FastifyReply, interaction: Interaction) {
    return reply.redirect(`/login?next=${encodeURIComponent(`${INTERACTION_PATH}/${interaction.uid}`)}`, 303);
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, result: InteractionResults, appName: string) {
    const returnTo = await (await providerOf()).interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return sendPage(reply, continuePage({ returnTo, appName }));
  }
}

function nameOf(client: { [key: string]: unknown } | undefined, interaction: Interaction): string {
  return typeof client?.clientName === 'string' ? client.clientName : String(interaction.params.client_id);
}

function browserSession(request: FastifyRequest): BrowserSession | undefined {
  const auth = request.auth;
  if (!auth) return undefined;
  return {
    sessionId: auth.session.id,
    userId: auth.user.id,
    authenticatedAtMs: Number(auth.session.authenticated_at ?? auth.session.created_at),
  };
}

function refuse(reply: FastifyReply, message: string) {
  return sendPage(reply, interactionErrorPage({ message }), ERROR_CODES.OIDC_REQUEST_EXPIRED.status);
}
