/** The API base URL rules (src/core/baseUrl.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkApiBaseUrl } from '../../src/core/baseUrl';

describe('checkApiBaseUrl', () => {
  const ok = (raw: string) => {
    const result = checkApiBaseUrl(raw);
    assert.ok(result.ok, `${raw} should be accepted`);
    return result.origin.href;
  };
  const refused = (raw: string, why: RegExp) => {
    const result = checkApiBaseUrl(raw);
    assert.equal(result.ok, false, `${raw} should be refused`);
    if (!result.ok) {
      assert.match(result.message, why, raw);
      assert.match(result.message, /factify\.apiBaseUrl/);
    }
  };

  test('https origins are accepted, with or without a trailing slash', () => {
    assert.equal(ok('https://api.factify.com'), 'https://api.factify.com/');
    assert.equal(ok('https://api.factify.com/'), 'https://api.factify.com/');
    assert.equal(ok(' https://API.Factify.com:8443 '), 'https://api.factify.com:8443/');
  });

  test('http is accepted for loopback hosts only', () => {
    assert.equal(ok('http://localhost:3000'), 'http://localhost:3000/');
    assert.equal(ok('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/');
    assert.equal(ok('http://127.45.6.7'), 'http://127.45.6.7/');
    assert.equal(ok('http://[::1]:9000'), 'http://[::1]:9000/');
    for (const raw of [
      'http://api.factify.com',
      'http://localhost.evil.example',
      'http://127.0.0.1.nip.io',
      'http://128.0.0.1',
      'http://10.0.0.1',
      'http://[::2]',
      'http://0.0.0.0',
    ]) {
      refused(raw, /https/);
    }
  });

  test('credentials, paths, queries, fragments, other schemes and garbage are refused', () => {
    refused('https://user:pw@api.factify.com', /user name and password/);
    refused('https://user@api.factify.com', /user name and password/);
    refused('https://api.factify.com/v1', /origin only/);
    refused('https://api.factify.com/v1/api-keys/', /origin only/);
    refused('https://api.factify.com/?token=x', /origin only/);
    refused('https://api.factify.com/#x', /origin only/);
    refused('ftp://api.factify.com', /https/);
    refused('file:///etc/passwd', /https/);
    refused('api.factify.com', /not a valid URL/);
    refused('', /not a valid URL/);
  });
});
