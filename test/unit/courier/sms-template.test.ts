import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSmsCode } from '../../../src/courier/templates/sms.ts';

const context = { publicUrl: new URL('https://auth.example.com/accounts/'), productName: 'Latchkey' };

describe('the SMS body', () => {
  it('carries the code and the product name, and ends with the WebOTP line for PUBLIC_URL’s host', () => {
    const body = renderSmsCode('123456', context);
    assert.equal(body, '123456 is your Latchkey code.\n\n@auth.example.com #123456');
    const lines = body.split('\n');
    assert.equal(lines.at(-1), '@auth.example.com #123456', 'the origin-bound line is the last one (WebOTP)');
    assert.match(lines[0] as string, /^123456 is your Latchkey code\.$/);
  });

  it('holds no link, no path and no port', () => {
    const body = renderSmsCode('87654321', { ...context, publicUrl: new URL('http://localhost:3000/auth') });
    assert.doesNotMatch(body, /https?:|\/\/|\/auth|:3000/);
    assert.match(body, /@localhost #87654321$/);
  });

  it('refuses anything but 4 to 10 digits as the code, so nothing else rides in the body', () => {
    for (const code of ['', '123', '12345678901', '12345a', '123 456', '123456\nhttps://evil.example', '１２３４５６']) {
      assert.throws(() => renderSmsCode(code, context), /4 to 10 digits/, JSON.stringify(code));
    }
  });
});
