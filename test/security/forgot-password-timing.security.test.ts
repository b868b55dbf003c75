import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser } from '../support/flows.ts';
import { assertSameMedianTime, timeMs } from '../support/timing.ts';

const KNOWN = 'ada@example.com';
const UNKNOWN = 'nobody@example.com';
const PAIRS = 100;
const MAX_MEDIAN_DIFFERENCE_MS = 2;
// On a busy database server (PostgreSQL beside the rest of CI) medians reach 20-50 ms and jitter
// with them; a real difference (a password hash, an inline mail) costs tens of ms at any load.
const MAX_MEDIAN_DIFFERENCE_RATIO = 0.1;

describe('forgot-password takes the same time for known and unknown addresses (S8)', () => {
  let service: TestService;
  before(async () => {
    // Limits raised so that every request does the full work (a limited request does less).
    service = await startTestService({ RATE_LIMIT_FORGOT_IP: '100000/3600', RATE_LIMIT_FORGOT_EMAIL: '100000/3600' });
    await registerUser(service, KNOWN, 'correct horse battery');
  });
  after(() => service.close());

  it(`has medians within ${MAX_MEDIAN_DIFFERENCE_MS} ms (or a tenth of them) over ${PAIRS} alternating pairs`, async () => {
    const api = apiClient(service);
    const timed = (email: string): Promise<number> =>
      timeMs(async () => {
        const response = await api.postJson('/api/password/forgot', { email });
        assert.equal(response.status, 202);
      });
    // A real difference would be a hash, a query or a mail sent inline for known addresses only.
    await assertSameMedianTime({
      known: () => timed(KNOWN),
      unknown: () => timed(UNKNOWN),
      pairs: PAIRS,
      warmUp: 20,
      allowedMs: (known, unknown) => Math.max(MAX_MEDIAN_DIFFERENCE_MS, (MAX_MEDIAN_DIFFERENCE_RATIO * (known + unknown)) / 2),
    });
  });
});
