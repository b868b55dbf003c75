import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { followLinkAndPress, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine, signedInClient } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

describe('CONFIRM_EMAIL=optional: confirming an address ends every session of its account', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ CONFIRM_EMAIL: 'optional' });
  });
  after(() => service.close());

  it("whoever registered someone else's address is signed out when its owner confirms it", async () => {
    // The squatter registers the victim's address and signs in (optional: before confirming).
    const token = await registerUnconfirmed(service, 'victim@example.com', PASSWORD);
    const squatter = await signedInClient(service, 'victim@example.com', PASSWORD);
    const squatterApi = await signedInClient(service, 'victim@example.com', PASSWORD);
    assert.equal((await squatter.get('/api/account')).status, 200);

    // The owner of the inbox follows the link in a browser that is not signed in.
    const { pressed } = await followLinkAndPress(new TestClient(service.url), `${service.url}/confirm-email/${token}`);
    assert.equal(pressed.status, 303);
    assert.equal(pressed.location, '/login?notice=email-confirmed');

    for (const client of [squatter, squatterApi]) assert.equal((await client.get('/api/account')).status, 401, 'the session is over');
    const user = await service.deps.store.users.findByCanonicalEmail('victim@example.com');
    const sessions = await service.deps.store.db.selectFrom('sessions').select('id').where('user_id', '=', user!.id).execute();
    assert.equal(sessions.length, 0);
    const event = await service.deps.store.db
      .selectFrom('audit_events')
      .select('detail')
      .where('type', '=', 'email.confirmed')
      .where('user_id', '=', user!.id)
      .executeTakeFirstOrThrow();
    assert.match(String(event.detail), /"sessionsEnded":2/);
  });

  it('the JSON confirmation ends them too; the confirmer signed in to the account is signed out and signs in again', async () => {
    const token = await registerUnconfirmed(service, 'self@example.com', PASSWORD);
    const own = await signedInClient(service, 'self@example.com', PASSWORD);
    const other = await signedInClient(service, 'self@example.com', PASSWORD);
    const confirmed = await own.postJson('/api/confirm', { token });
    assert.equal(confirmed.status, 200);
    for (const client of [own, other]) assert.equal((await client.get('/api/account')).status, 401);
    await signedInClient(service, 'self@example.com', PASSWORD);
  });

  it('in a browser signed in to the account, the page clears its session cookie and sends it to sign in', async () => {
    const token = await registerUnconfirmed(service, 'page@example.com', PASSWORD);
    const browser = new TestClient(service.url);
    const login = await browser.get('/login');
    assert.equal(
      (await browser.postForm('/login', { _csrf: login.csrfToken(), email: 'page@example.com', password: PASSWORD })).status,
      303,
    );
    const { pressed } = await followLinkAndPress(browser, `${service.url}/confirm-email/${token}`);
    assert.equal(pressed.location, '/login?notice=email-confirmed');
    assert.match(setCookieLine(pressed, 'lk_session') ?? '', /Expires=Thu, 01 Jan 1970/i, 'the dead session cookie is cleared');
    assert.equal(browser.cookies.has('lk_session'), false);
  });

  it('someone signed in to another account who opens the link stays signed in', async () => {
    await registerUser(service, 'bystander@example.com', PASSWORD);
    const token = await registerUnconfirmed(service, 'other@example.com', PASSWORD);
    const bystander = await signedInClient(service, 'bystander@example.com', PASSWORD);
    const { pressed } = await followLinkAndPress(bystander, `${service.url}/confirm-email/${token}`);
    assert.equal(pressed.location, '/?notice=email-confirmed');
    assert.equal((await bystander.get('/api/account')).status, 200);
    assert.equal(setCookieLine(pressed, 'lk_session'), undefined);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'other@example.com', password: PASSWORD })).status, 200);
  });
});
