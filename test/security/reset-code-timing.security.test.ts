import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser } from '../support/flows.ts';
import { issueLiveCodeOtherThan } from '../support/reset-codes.ts';
import { assertSameMedianTime, timeMs } from '../support/timing.ts';

const KNOWN = 'ada@example.com';
const UNKNOWN = 'nobody@example.com';
const PAIRS = 60;
/**
 * 3 ms, or a tenth of the medians on a loaded machine (where one Argon2id verification takes far
 * longer than its usual ~15 ms): a skipped hash for unknown addresses would still be a difference
 * of half the medians or more.
 */
const MAX_MEDIAN_DIFFERENCE_MS = 3;
const MAX_MEDIAN_DIFFERENCE_RATIO = 0.1;
const WRONG = '00000000';

describe('a wrong reset code takes the same time for a known account with a live code as for an unknown address (S8)', () => {
  let service: TestService;
  let userId: string;
  before(async () => {
    // The per-IP limit raised so that every attempt does the full work (a limited one does less).
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '100000/900' });
    await registerUser(service, KNOWN, 'correct horse battery');
    userId = (await service.deps.store.users.findByCanonicalEmail(KNOWN))!.id;
  });
  after(() => service.close());

  it(`has medians within ${MAX_MEDIAN_DIFFERENCE_MS} ms (or a tenth of them) over ${PAIRS} alternating pairs`, async () => {
    const api = apiClient(service);
    const timed = async (email: string): Promise<number> => {
      if (email === KNOWN) await issueLiveCodeOtherThan(service, { purpose: 'reset-code', userId, avoid: WRONG });
      return timeMs(async () => {
        const response = await api.postJson('/api/password/reset', { email, code: WRONG, password: 'a brand new passphrase' });
        assert.equal(response.json().error.code, 'CODE_INVALID');
      });
    };
    await assertSameMedianTime({
      known: () => timed(KNOWN),
      unknown: () => timed(UNKNOWN),
      pairs: PAIRS,
      warmUp: 10,
      allowedMs: (known, unknown) => Math.max(MAX_MEDIAN_DIFFERENCE_MS, (MAX_MEDIAN_DIFFERENCE_RATIO * (known + unknown)) / 2),
    });
  });
});
