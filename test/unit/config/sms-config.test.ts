import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configInTempDir } from '../../support/config.ts';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const { load, problemsOf } = configInTempDir('sms-config');

const PRODUCTION = { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example:587' };

describe('SMS settings', () => {
  it('default to the dev SMS box outside production, every country, the + required, 5 SMS an hour per number and 20 a day per account', () => {
    const config = load({});
    assert.deepEqual(config.sms, { provider: undefined, devBox: true, available: true, countries: [], defaultCountry: undefined });
    assert.deepEqual(config.rateLimits.smsPerNumber, { points: 5, durationSeconds: 3600 });
    assert.deepEqual(config.rateLimits.smsPerAccount, { points: 20, durationSeconds: 86_400 });
  });

  it('leave SMS unavailable in production without SMS_URL (no dev box there)', () => {
    const config = load(PRODUCTION);
    assert.equal(config.sms.available, false);
    assert.equal(config.sms.devBox, false);
    assert.equal(load({ ...PRODUCTION, SMS_URL: 'https://sms.example/send' }).sms.available, true);
  });

  it('read a webhook URL and its bearer token', () => {
    const config = load({ SMS_URL: 'https://sms.example/v1/send?route=otp', SMS_TOKEN: 'secret-token' });
    assert.equal(config.sms.provider?.kind, 'webhook');
    assert.equal(config.sms.provider?.kind === 'webhook' && config.sms.provider.url.href, 'https://sms.example/v1/send?route=otp');
    assert.equal(config.sms.provider?.kind === 'webhook' && config.sms.provider.token, 'secret-token');
    assert.equal(config.sms.devBox, false);
  });

  it('read a Twilio URL with a sender number or a Messaging Service, against TWILIO_API_BASE_URL', () => {
    const config = load({ SMS_URL: `twilio://${SID}:auth%2Btoken@+15005550006` });
    assert.deepEqual(config.sms.provider, {
      kind: 'twilio',
      accountSid: SID,
      authToken: 'auth+token',
      from: '+15005550006',
      apiBaseUrl: new URL('https://api.twilio.com'),
    });
    const service = load({ SMS_URL: `twilio://${SID}:t@MG${'a'.repeat(32)}`, TWILIO_API_BASE_URL: 'http://127.0.0.1:9999' });
    assert.equal(service.sms.provider?.kind === 'twilio' && service.sms.provider.from, `MG${'a'.repeat(32)}`);
    assert.equal(service.sms.provider?.kind === 'twilio' && service.sms.provider.apiBaseUrl.href, 'http://127.0.0.1:9999/');
  });

  it('refuse malformed provider URLs with a message naming the variable', () => {
    assert.match(problemsOf({ SMS_URL: 'smtp://sms.example' }), /SMS_URL must start with https:\/\/ \(a JSON webhook\) or twilio:\/\//);
    assert.match(problemsOf({ SMS_URL: 'https://user:pass@sms.example/send' }), /SMS_URL must be an https:\/\/ .* without credentials/);
    for (const bad of [
      'twilio://nope:t@+15005550006',
      `twilio://${SID}@+15005550006`,
      `twilio://${SID}:t@15005550006`,
      `twilio://${SID}:t@+15005550006/x`,
    ]) {
      assert.match(problemsOf({ SMS_URL: bad }), /SMS_URL for Twilio must look like twilio:\/\/ACCOUNT_SID:AUTH_TOKEN@FROM/, bad);
    }
    assert.match(problemsOf({ TWILIO_API_BASE_URL: 'ftp://x' }), /TWILIO_API_BASE_URL must be a URL/);
    assert.match(problemsOf({ ...PRODUCTION, SMS_URL: 'http://sms.example/send' }), /SMS_URL must use https:\/\/ when NODE_ENV=production/);
    assert.match(
      problemsOf({ ...PRODUCTION, SMS_URL: `twilio://${SID}:t@+15005550006`, TWILIO_API_BASE_URL: 'http://api.example' }),
      /TWILIO_API_BASE_URL must use https:\/\/ when NODE_ENV=production/,
    );
    for (const local of ['http://127.0.0.1:8080/send', 'http://localhost/send', 'http://[::1]:9000/send']) {
      assert.equal(load({ ...PRODUCTION, SMS_URL: local }).sms.available, true, local);
    }
  });

  it('read SMS_COUNTRIES and DEFAULT_PHONE_COUNTRY as ISO codes, refusing unknown ones', () => {
    const config = load({ SMS_COUNTRIES: 'fr, BE,CH,FR', DEFAULT_PHONE_COUNTRY: 'fr' });
    assert.deepEqual(config.sms.countries, ['FR', 'BE', 'CH']);
    assert.equal(config.sms.defaultCountry, 'FR');
    assert.match(
      problemsOf({ SMS_COUNTRIES: 'FR,XX' }),
      /SMS_COUNTRIES must be a comma-separated list of ISO 3166-1 alpha-2 country codes .* "XX" is not one/,
    );
    assert.match(problemsOf({ DEFAULT_PHONE_COUNTRY: 'France' }), /DEFAULT_PHONE_COUNTRY must be an ISO 3166-1 alpha-2 country code/);
    assert.match(problemsOf({ RATE_LIMIT_SMS_NUMBER: '5' }), /RATE_LIMIT_SMS_NUMBER must look like POINTS\/SECONDS/);
    assert.deepEqual(load({ RATE_LIMIT_SMS_ACCOUNT: '3/60' }).rateLimits.smsPerAccount, { points: 3, durationSeconds: 60 });
  });
});
