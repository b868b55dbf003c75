import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redirectUriProblem } from '../../../../src/flows/oidc/redirect-uris.ts';

describe('redirect URI rules for registered clients', () => {
  it('accepts https anywhere and http on loopback hosts only, kept exactly as given', () => {
    for (const uri of [
      'https://app.example.com/callback',
      'https://app.example.com',
      'https://app.example.com:8443/cb?tenant=a',
      'http://127.0.0.1:3000/cb',
      'http://[::1]:3000/cb',
      'http://localhost/cb',
    ]) {
      assert.equal(redirectUriProblem(uri), undefined, uri);
    }
  });

  it('refuses everything else, saying why', () => {
    const refused: Array<[string, RegExp]> = [
      ['', /empty/],
      ['/callback', /not an absolute URL/],
      ['app.example.com/cb', /not an absolute URL/],
      ['http://app.example.com/cb', /http is only allowed/],
      ['http://127.0.0.2/cb', /http is only allowed/],
      ['http://localhost.evil.example/cb', /http is only allowed/],
      ['https://app.example.com/cb#state', /fragment/],
      ['https://user:pw@app.example.com/cb', /user name or password/],
      ['https://app.example.com@evil.example/cb', /user name or password/],
      ['javascript:alert(1)', /scheme javascript: is not allowed/],
      ['data:text/html,hi', /scheme data: is not allowed/],
      ['custom-app:/cb', /scheme custom-app: is not allowed/],
      [' https://app.example.com/cb', /spaces or control characters/],
      ['https://app.example.com/c\nb', /spaces or control characters/],
      ['https://App.Example.com/cb', /canonical form .*https:\/\/app\.example\.com\/cb/],
      ['https://app.example.com:443/cb', /canonical form/],
      ['https://evil.example\\@app.example.com/', /canonical form/],
      ['https://app.example.com/a/../cb', /canonical form/],
      [`https://app.example.com/${'a'.repeat(2000)}`, /longer than 2000/],
    ];
    for (const [uri, why] of refused) assert.match(redirectUriProblem(uri) ?? 'accepted', why, uri);
  });
});
