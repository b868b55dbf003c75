import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absoluteTime, relativeTime, timeElement, timeFormatFor, timeText } from '../../../src/views/time.ts';

const NOW = Date.UTC(2026, 10, 24, 14, 30);
const HOUR = 3600 * 1000;

describe('times on pages (src/views/time.ts)', () => {
  it('shows the full time in the reader’s language with its time zone named (UTC)', () => {
    const when = NOW - 3 * HOUR;
    assert.match(absoluteTime(when, timeFormatFor('en-US', NOW)), /^November 24, 2026.*11:30 AM UTC$/);
    assert.match(absoluteTime(when, timeFormatFor('de', NOW)), /^24\. November 2026.*11:30 UTC$/);
  });

  it('says recent times relatively ("3 hours ago", "vor 3 Stunden", "yesterday"), counted from the given now', () => {
    assert.equal(relativeTime(NOW - 3 * HOUR, timeFormatFor('en', NOW)), '3 hours ago');
    assert.equal(relativeTime(NOW - 3 * HOUR, timeFormatFor('de', NOW)), 'vor 3 Stunden');
    assert.equal(relativeTime(NOW - 24 * HOUR, timeFormatFor('en', NOW)), 'yesterday');
    assert.equal(relativeTime(NOW - 5 * 60 * 1000, timeFormatFor('fr', NOW)), 'il y a 5 minutes');
    assert.equal(relativeTime(NOW - 2000, timeFormatFor('en', NOW)), '2 seconds ago');
  });

  it('puts the relative time before the full one while recent, and only the full one after a week', () => {
    const format = timeFormatFor('en-US', NOW);
    assert.match(timeText(NOW - 3 * HOUR, format), /^3 hours ago \(November 24, 2026.* UTC\)$/);
    assert.match(timeText(NOW - 30 * 24 * HOUR, format), /^October 25, 2026.* UTC$/);
  });

  it('wraps it in a <time> element whose datetime is the exact instant, escaped like any text', () => {
    const out = timeElement(NOW - 3 * HOUR, timeFormatFor('en', NOW)).value;
    assert.match(out, /^<time datetime="2026-11-24T11:30:00\.000Z">3 hours ago \([^<]+UTC\)<\/time>$/);
  });
});
