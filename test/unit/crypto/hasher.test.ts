import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARGON2_PARAMS, Argon2Hasher } from '../../../src/crypto/passwords/hasher.ts';
import { AppError } from '../../../src/kernel/errors.ts';

describe('Argon2id password hasher (S14)', () => {
  const hasher = new Argon2Hasher({ concurrency: 2, queueLimit: 8 });

  it('writes PHC strings with OWASP parameters m=19456, t=2, p=1 and a random salt', async () => {
    assert.deepEqual({ ...ARGON2_PARAMS }, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const a = await hasher.hashPassword('correct horse battery');
    const b = await hasher.hashPassword('correct horse battery');
    assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.notEqual(a, b, 'salted');
    assert.ok(!a.includes('correct'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const phc = await hasher.hashPassword('correct horse battery');
    assert.equal(await hasher.verifyPassword(phc, 'correct horse battery'), true);
    assert.equal(await hasher.verifyPassword(phc, 'correct horse batterY'), false);
    assert.equal(await hasher.verifyPassword(phc, ''), false);
  });

  it('hashes the NFKC form, so the same password typed differently verifies', async () => {
    const phc = await hasher.hashPassword('ﬁne ｐａｓｓphrase');
    assert.equal(await hasher.verifyPassword(phc, 'fine passphrase'), true);
  });

  it('answers false, never throws, for hashes it cannot read', async () => {
    assert.equal(await hasher.verifyPassword('', 'x'), false);
    assert.equal(await hasher.verifyPassword('$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzabc', 'x'), false);
    assert.equal(await hasher.verifyPassword('$argon2id$garbage', 'x'), false);
  });

  it('verifies a dummy hash for unknown accounts without failing', async () => {
    await hasher.verifyDummy('anything at all');
  });

  it('asks for a rehash when the parameters or the algorithm differ', async () => {
    assert.equal(hasher.needsRehash(await hasher.hashPassword('correct horse battery')), false);
    assert.equal(hasher.needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'), true);
    assert.equal(hasher.needsRehash('$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'), true);
    assert.equal(hasher.needsRehash('pbkdf2:sha256:600000$salt$hash'), true);
  });

  it('rejects work beyond its bounded queue with AppError OVERLOADED and Retry-After', async () => {
    const tight = new Argon2Hasher({ concurrency: 1, queueLimit: 0 });
    const first = tight.hashPassword('first password here');
    await assert.rejects(tight.hashPassword('second password here'), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'OVERLOADED');
      assert.equal(error.status, 503);
      assert.equal(error.retryAfterSeconds, 1);
      return true;
    });
    const phc = await first;
    assert.match(phc, /^\$argon2id\$/, 'the running hash finishes normally');
    assert.equal(await tight.verifyPassword(phc, 'first password here'), true, 'the slot is released after use');
    assert.match(await tight.hashPassword('third password here'), /^\$argon2id\$/);
  });

  it('queues up to queueLimit callers and reports how many wait', async () => {
    const one = new Argon2Hasher({ concurrency: 1, queueLimit: 1 });
    const running = one.hashPassword('first password here');
    const queued = one.hashPassword('second password here');
    assert.equal(one.queueLength, 1);
    await assert.rejects(one.hashPassword('third password here'), { code: 'OVERLOADED' });
    assert.match(await running, /^\$argon2id\$/);
    assert.match(await queued, /^\$argon2id\$/);
    assert.equal(one.queueLength, 0);
  });
});
