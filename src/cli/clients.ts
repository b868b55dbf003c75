import type { Command } from 'commander';
import type { Deps } from '../deps.ts';
import type { RegisteredClient } from '../flows/oidc/ports.ts';
import { withDeps } from './lazy-deps.ts';

function fail(message: string): never {
  process.stderr.write(`latchkey: ${message}\n`);
  process.exit(1);
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * The OIDC stores over the command's database. The token lifetime only decides which retired keys
 * are still published, which no command here shows; rotation itself does not depend on it.
 */
async function oidcStores(deps: Deps) {
  const { createOidcStores } = await import('../flows/oidc/stores.ts');
  return createOidcStores({ store: deps.store, keyring: deps.keyring, clock: deps.clock, random: deps.random, maxTokenLifetimeSeconds: 0 });
}

function asJson(c: RegisteredClient) {
  return {
    client_id: c.clientId,
    name: c.name,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    public: c.isPublic,
    skip_consent: c.skipConsent,
    created_at: new Date(c.createdAtMs).toISOString(),
  };
}

interface AddOptions {
  name: string;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  public?: boolean;
  skipConsent?: boolean;
  json?: boolean;
}

/** `latchkey clients ...` (applications that sign in through OpenID Connect) and `latchkey keys rotate`. */
export function registerClientCommands(program: Command): void {
  const clients = program
    .command('clients')
    .description('register the applications that sign their users in through Latchkey (OpenID Connect)');

  clients
    .command('add')
    .description('register an application; prints its client_id and, for a confidential client, its client_secret (shown only this once)')
    .requiredOption('--name <name>', 'the name users see on the consent page')
    .option(
      '--redirect-uri <uri>',
      'where codes may be sent: exact URL, https (or http on 127.0.0.1, [::1], localhost); repeat for more',
      collect,
    )
    .option('--post-logout-redirect-uri <uri>', 'where users may be sent after signing out (same rules); repeat for more', collect)
    .option('--public', 'a public client (single-page or native app): no secret, PKCE S256 required')
    .option('--skip-consent', 'a first-party application: no consent page')
    .option('--json', 'print {"client_id": ..., "client_secret": ...} on stdout and nothing else')
    .action(async (options: AddOptions) => {
      const redirectUris = options.redirectUri ?? [];
      if (redirectUris.length === 0) fail('give at least one --redirect-uri <uri>: where the application receives its codes');
      await withDeps(async (deps) => {
        const added = await (await oidcStores(deps)).clients.add(
          {
            name: options.name,
            redirectUris,
            postLogoutRedirectUris: options.postLogoutRedirectUri ?? [],
            isPublic: options.public === true,
            skipConsent: options.skipConsent === true,
          },
          deps.clock.nowMs(),
        );
        if (!added.ok) fail(added.detail);
        const { client, clientSecret } = added;
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify(clientSecret === undefined ? { client_id: client.clientId } : { client_id: client.clientId, client_secret: clientSecret })}\n`,
          );
        } else {
          process.stdout.write(
            `registered ${client.name} (${client.isPublic ? 'public' : 'confidential'} client)\nclient_id:     ${client.clientId}\n`,
          );
          if (clientSecret !== undefined) process.stdout.write(`client_secret: ${clientSecret}\n`);
        }
        if (clientSecret !== undefined) {
          process.stderr.write(
            'The client secret is shown only this once: Latchkey keeps only a digest. Store it in the application now.\n',
          );
        }
      });
    });

  clients
    .command('list')
    .description('list registered applications, oldest first (secrets are never shown)')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      await withDeps(async (deps) => {
        const all = await (await oidcStores(deps)).clients.list();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(all.map(asJson))}\n`);
          return;
        }
        for (const c of all) {
          const kind = `${c.isPublic ? 'public' : 'confidential'}${c.skipConsent ? ', skip-consent' : ''}`;
          process.stdout.write(`${c.clientId}\t${c.name}\t${kind}\t${c.redirectUris.join(' ')}\n`);
        }
        if (all.length === 0) process.stdout.write('no clients\n');
      });
    });

  clients
    .command('remove')
    .description('remove an application, with every grant, code and token issued to it')
    .argument('<client_id>', 'the client to remove')
    .action(async (clientId: string) => {
      await withDeps(async (deps) => {
        if (!(await (await oidcStores(deps)).clients.remove(clientId))) fail(`no client has the id ${clientId}`);
        process.stdout.write(`removed client ${clientId}\n`);
      });
    });

  const keys = program.command('keys').description('the OpenID Connect signing keys');
  keys
    .command('rotate')
    .description('add a new signing key; the previous one stays in the JWKS until every token it signed has expired')
    .action(async () => {
      await withDeps(async (deps) => {
        const kid = await (await oidcStores(deps)).keys.rotate(deps.clock.nowMs());
        process.stdout.write(`new signing key: ${kid} (ES256)\n`);
        process.stderr.write(
          'Restart running Latchkey services so that they sign with it; the previous key stays published until its tokens expire.\n',
        );
      });
    });
}
