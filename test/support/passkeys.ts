import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { newId } from '../../src/kernel/random.ts';
import type { TestService } from './app.ts';
import { userIdOf } from './webauthn.ts';

/** A stored passkey (its key is never used: for pages that only list, rename and remove). */
export async function storePasskey(service: TestService, email: string, name: string, o: { synced?: boolean } = {}): Promise<string> {
  const id = newId();
  const created = await service.deps.store.passkeys.create({
    id,
    userId: await userIdOf(service, email),
    credentialId: randomBytes(32).toString('base64url'),
    publicKey: randomBytes(77).toString('base64url'),
    counter: 0,
    transports: ['internal'],
    deviceType: o.synced ? 'multiDevice' : 'singleDevice',
    backedUp: o.synced === true,
    aaguid: null,
    name,
    nowMs: service.deps.clock.nowMs(),
  });
  assert.ok(created);
  return id;
}
