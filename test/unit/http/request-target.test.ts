import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { originForm } from '../../../src/http/request-target.ts';

describe('originForm: absolute-form request targets reduced to path and query', () => {
  it('leaves origin-form targets alone', () => {
    for (const url of ['/', '/api/login', '/reset-password/abc?x=1', '//double']) assert.equal(originForm(url), url);
  });

  it('drops the scheme and authority of http and https targets', () => {
    assert.equal(originForm('http://evil.example/api/password/forgot'), '/api/password/forgot');
    assert.equal(originForm('HTTPS://user:pw@evil.example:8443/reset-password/tok?next=/x'), '/reset-password/tok?next=/x');
    assert.equal(originForm('http://evil.example'), '/');
    assert.equal(originForm('http://evil.example?x=1'), '/?x=1');
    assert.equal(originForm('http://evil.example/a#frag'), '/a');
  });

  it('leaves other forms for the router to refuse', () => {
    assert.equal(originForm('*'), '*');
    assert.equal(originForm('ftp://evil.example/x'), 'ftp://evil.example/x');
  });
});
