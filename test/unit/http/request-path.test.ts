import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodedPath } from '../../../src/http/request-path.ts';
import { redactUrl } from '../../../src/logger.ts';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCd0';

describe('decodedPath', () => {
  it('decodes percent-escapes and collapses repeated slashes, as the router matches', () => {
    assert.equal(decodedPath('/%61pi/logout'), '/api/logout');
    assert.equal(decodedPath('/reset%2Dpassword/x?y=1'), '/reset-password/x');
    assert.equal(decodedPath('//api//logout'), '/api/logout');
    assert.equal(decodedPath('/%'), '/%', 'a malformed escape is left as it is');
  });
});

describe('redactUrl (S23)', () => {
  it('masks the token of every link path, also when the path is percent-encoded', () => {
    for (const url of [
      `/reset-password/${TOKEN}`,
      `/reset%2Dpassword/${TOKEN}`,
      `/%72eset-password/${TOKEN}`,
      `//reset-password/${TOKEN}`,
      `/confirm%2demail/${TOKEN}`,
      `/email-change%2Fundo/${TOKEN}`,
      `/email-change/confirm/${TOKEN.replace('A', '%41')}`,
    ]) {
      const logged = redactUrl(url);
      assert.ok(!logged.includes(TOKEN) && !logged.includes(TOKEN.slice(1)), `${url} -> ${logged}`);
      assert.match(logged, /\[redacted\]$/, url);
    }
    assert.equal(redactUrl(`/reset%2Dpassword/${TOKEN}?a=b`), '/reset-password/[redacted]?[redacted]');
  });

  it('masks a token-shaped segment anywhere, and leaves ordinary paths alone', () => {
    assert.equal(redactUrl(`/RESET-PASSWORD/${TOKEN}`), '/RESET-PASSWORD/[redacted]');
    assert.equal(redactUrl(`/x/../reset-password/${TOKEN}/extra`), '/x/../reset-password/[redacted]/extra');
    assert.equal(redactUrl('/account/sessions'), '/account/sessions');
    assert.equal(redactUrl('/api/sessions/0b6e3d1c-2f4a-4c8e-9a55-1f2e3d4c5b6a'), '/api/sessions/0b6e3d1c-2f4a-4c8e-9a55-1f2e3d4c5b6a');
  });
});
