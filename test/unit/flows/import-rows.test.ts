import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { pepperBoxOf } from '../../../src/crypto/passwords/hasher.ts';
import { ImportedHashes } from '../../../src/crypto/passwords/legacy/dispatch.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { csvRecords } from '../../../src/flows/import/csv.ts';
import { checkRow, parseTime } from '../../../src/flows/import/row.ts';

async function records(...chunks: string[]) {
  const out = [];
  for await (const record of csvRecords(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(record);
  return out;
}

describe('import: CSV records', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, across chunk boundaries, with the line each starts on', async () => {
    const got = await records('\uFEFFemail,name\r\na@example.com,"Smith, ""A', 'nn"""\r\nb@example.com,"two\nlines"\n\nc@example.com,\n');
    assert.deepEqual(got, [
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@example.com', 'Smith, "Ann"'] },
      { line: 3, fields: ['b@example.com', 'two\nlines'] },
      { line: 6, fields: ['c@example.com', ''] },
    ]);
  });

  it('keeps a last record without a line break, and a quote inside an unquoted field', async () => {
    assert.deepEqual(await records('a,b"c'), [{ line: 1, fields: ['a', 'b"c'] }]);
  });
});

describe('import: row checks', () => {
  const hashes = new ImportedHashes({}, pepperBoxOf(new SecretBox(new Keyring(['k'.repeat(40)]))));
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads times as ISO 8601 (UTC without a zone), Dates, seconds or milliseconds', () => {
    assert.equal(parseTime('2021-05-06T07:08:09Z'), Date.parse('2021-05-06T07:08:09Z'));
    assert.equal(parseTime('2021-05-06 07:08:09.123456'), Date.parse('2021-05-06T07:08:09.123Z'));
    assert.equal(parseTime('2021-05-06T07:08:09+02:00'), Date.parse('2021-05-06T05:08:09Z'));
    assert.equal(parseTime(new Date(5000)), 5000);
    assert.equal(parseTime(1_600_000_000), 1_600_000_000_000);
    assert.equal(parseTime('1600000000000'), 1_600_000_000_000);
    assert.equal(parseTime('yesterday'), undefined);
  });

  it('canonicalises the address as registration does and reads the flags', () => {
    const checked = checkRow({ email: ' Ada@Example.COM ', email_verified: 't', disabled: 0, name: ' Ada ' }, hashes, now);
    assert.ok(checked.ok);
    assert.equal(checked.row.address.canonical, 'ada@example.com');
    assert.equal(checked.row.address.display, 'Ada@Example.COM');
    assert.equal(checked.row.emailConfirmedAtMs, now);
    assert.equal(checked.row.disabled, false);
    assert.equal(checked.row.name, 'Ada');
    assert.equal(checked.row.passwordHash, undefined);
  });

  it('takes a confirmation time as confirmed at that time (Devise confirmed_at)', () => {
    const checked = checkRow({ email: 'a@example.com', email_verified: '2020-02-02T00:00:00Z' }, hashes, now);
    assert.ok(checked.ok && checked.row.emailConfirmedAtMs === Date.parse('2020-02-02T00:00:00Z'));
  });

  it('refuses what it cannot read, with a reason', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /no email/],
      [{ email: 'a@b@example.com' }, /not a valid email address/],
      [{ email: 'a@example.com', email_verified: 'maybe' }, /email_verified/],
      [{ email: 'a@example.com', disabled: 'sometimes' }, /disabled/],
      [{ email: 'a@example.com', username: 'a@b' }, /username/],
      [{ email: 'a@example.com', created_at: 'soon' }, /created_at/],
      [{ email: 'a@example.com', password_hash: 42 }, /password_hash is not text/],
      [{ email: 'a@example.com', password_hash: 'md5:abc' }, /unknown password hash format/],
    ];
    for (const [values, reason] of cases) {
      const checked = checkRow(values, hashes, now);
      assert.ok(!checked.ok, JSON.stringify(values));
      assert.match(checked.reason, reason);
    }
  });
});
