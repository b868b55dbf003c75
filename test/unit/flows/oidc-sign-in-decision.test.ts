import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideLoginPrompt } from '../../../src/flows/oidc/sign-in-decision.ts';

const NOW = 1_800_000_000_000;
const session = { sessionId: 's1', userId: 'u1', authenticatedAtMs: NOW - 600_000 };

describe('decideLoginPrompt: single sign-on unless a fresh sign-in is asked for', () => {
  it('finishes at once with a live session (SSO), and asks to sign in without one', () => {
    assert.deepEqual(decideLoginPrompt({ reasons: ['no_session'], maxAgeSeconds: undefined, session, marker: undefined, nowMs: NOW }), {
      kind: 'finish',
      session,
    });
    assert.deepEqual(
      decideLoginPrompt({ reasons: ['no_session'], maxAgeSeconds: undefined, session: undefined, marker: undefined, nowMs: NOW }),
      { kind: 'sign-in' },
    );
  });

  it('prompt=login: the first visit marks the start and the current session as stale', () => {
    const decision = decideLoginPrompt({ reasons: ['login_prompt'], maxAgeSeconds: undefined, session, marker: undefined, nowMs: NOW });
    assert.deepEqual(decision, { kind: 'sign-in', marker: { startedAtMs: NOW, staleSessionId: 's1' } });
  });

  it('prompt=login: the stale session, or one authenticated before the start, does not count; a new sign-in does', () => {
    const marker = { startedAtMs: NOW, staleSessionId: 's1' };
    assert.equal(
      decideLoginPrompt({ reasons: ['login_prompt'], maxAgeSeconds: undefined, session, marker, nowMs: NOW + 1 }).kind,
      'sign-in',
    );
    const older = { sessionId: 's0', userId: 'u1', authenticatedAtMs: NOW - 1 };
    assert.equal(
      decideLoginPrompt({ reasons: ['login_prompt'], maxAgeSeconds: undefined, session: older, marker, nowMs: NOW + 1 }).kind,
      'sign-in',
    );
    // Same millisecond as the start (a clock that stands still) but a new session: fresh.
    const fresh = { sessionId: 's2', userId: 'u1', authenticatedAtMs: NOW };
    assert.deepEqual(decideLoginPrompt({ reasons: ['login_prompt'], maxAgeSeconds: undefined, session: fresh, marker, nowMs: NOW }), {
      kind: 'finish',
      session: fresh,
    });
  });

  it('max_age: a sign-in older than max_age seconds asks again; a recent one finishes', () => {
    assert.equal(decideLoginPrompt({ reasons: ['max_age'], maxAgeSeconds: 300, session, marker: undefined, nowMs: NOW }).kind, 'sign-in');
    assert.equal(decideLoginPrompt({ reasons: ['max_age'], maxAgeSeconds: 900, session, marker: undefined, nowMs: NOW }).kind, 'finish');
  });
});
