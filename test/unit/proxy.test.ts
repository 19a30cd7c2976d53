/** Proxy choice: settings, environment, bypass lists, loopback (src/core/proxy.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseProxy, isExcluded, isLocalHost, type ProxySettings } from '../../src/core/proxy';

describe('proxy choice', () => {
  const HTTPS_TARGET = new URL('https://api.factify.com');
  const HTTP_TARGET = new URL('http://localhost:3000');
  const settings = (overrides: Partial<ProxySettings> = {}): ProxySettings => ({
    proxy: undefined,
    noProxy: [],
    strictSSL: true,
    ...overrides,
  });
  const chosen = (target: URL, s: ProxySettings, env: Record<string, string>) => chooseProxy(target, s, env)?.proxyUrl.href;

  test('http.proxy wins over the environment; strictSSL is passed on', () => {
    const choice = chooseProxy(HTTPS_TARGET, settings({ proxy: 'http://corp:3128', strictSSL: false }), { HTTPS_PROXY: 'http://env:8080' });
    assert.equal(choice?.proxyUrl.href, 'http://corp:3128/');
    assert.equal(choice?.strictSSL, false);
  });

  test('environment variables by target scheme, either case; none means direct', () => {
    assert.equal(chosen(HTTPS_TARGET, settings(), { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' }), 'http://s:1/');
    assert.equal(chosen(HTTPS_TARGET, settings(), { https_proxy: 'http://lower:1' }), 'http://lower:1/');
    assert.equal(
      chosen(HTTP_TARGET, settings(), { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' }),
      undefined,
      'plain http is never proxied',
    );
    assert.equal(chosen(HTTPS_TARGET, settings(), { HTTP_PROXY: 'http://p:2' }), undefined, 'HTTP_PROXY is not for https targets');
    assert.equal(chosen(HTTPS_TARGET, settings(), { ALL_PROXY: 'http://all:3' }), 'http://all:3/');
    assert.equal(
      chosen(HTTPS_TARGET, settings({ proxy: '   ' }), { HTTPS_PROXY: 'http://s:1' }),
      'http://s:1/',
      'a blank setting falls back',
    );
    assert.equal(chosen(HTTPS_TARGET, settings(), {}), undefined);
    assert.equal(chosen(HTTPS_TARGET, settings({ proxy: 'corp:3128' }), {}), 'http://corp:3128/', 'no scheme means http');
  });

  test('NO_PROXY and http.noProxy exclude the target', () => {
    const proxied = settings({ proxy: 'http://corp:3128' });
    assert.equal(chosen(HTTPS_TARGET, proxied, { NO_PROXY: '*' }), undefined);
    assert.equal(chosen(HTTPS_TARGET, proxied, { no_proxy: 'example.com, factify.com' }), undefined);
    assert.equal(chosen(HTTPS_TARGET, settings({ proxy: 'http://corp:3128', noProxy: ['.factify.com'] }), {}), undefined);
    assert.equal(chosen(HTTPS_TARGET, proxied, { NO_PROXY: 'example.com' }), 'http://corp:3128/');
  });

  test('isExcluded: suffixes, leading dots, wildcards, ports and IPv6', () => {
    const api = new URL('https://api.factify.com');
    assert.equal(isExcluded(api, ['factify.com']), true, 'domain suffix');
    assert.equal(isExcluded(api, ['.factify.com']), true, 'leading dot');
    assert.equal(isExcluded(api, ['*.factify.com']), true, 'wildcard');
    assert.equal(isExcluded(new URL('https://factify.com'), ['.factify.com']), true, 'leading dot matches the domain itself');
    assert.equal(isExcluded(api, ['API.FACTIFY.COM']), true, 'case-insensitive');
    assert.equal(isExcluded(new URL('https://notfactify.com'), ['factify.com']), false, 'not a label boundary');
    assert.equal(isExcluded(new URL('https://factify.com.evil.example'), ['factify.com']), false);
    assert.equal(isExcluded(api, ['api.factify.com:443']), true, 'default https port');
    assert.equal(isExcluded(api, ['api.factify.com:8443']), false, 'other port');
    assert.equal(isExcluded(new URL('https://api.factify.com:8443'), ['api.factify.com:8443']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['[::1]']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['::1']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['[::1]:8080']), true);
    assert.equal(isExcluded(new URL('http://[::1]:8080'), ['[::1]:9090']), false);
    assert.equal(isExcluded(new URL('http://127.0.0.1:8080'), ['127.0.0.1']), true);
    assert.equal(isExcluded(api, ['', '  ', 'other.example']), false);
  });

  test('a loopback or plain-http origin is never proxied, whatever the setting or the environment says', () => {
    const everyForm: Array<[ProxySettings, Record<string, string>]> = [
      [settings({ proxy: 'http://corp:3128' }), {}],
      [settings(), { HTTP_PROXY: 'http://p:2' }],
      [settings(), { http_proxy: 'http://p:2' }],
      [settings(), { HTTPS_PROXY: 'http://s:1' }],
      [settings(), { https_proxy: 'http://s:1' }],
      [settings(), { ALL_PROXY: 'http://all:3' }],
      [settings(), { all_proxy: 'http://all:3' }],
    ];
    const local = [
      'http://localhost:3000',
      'https://localhost:3000',
      'https://LOCALHOST.:8443',
      'https://api.localhost',
      'http://127.0.0.1:8080',
      'https://127.0.0.1',
      'https://127.255.0.9:9',
      'http://[::1]:8080',
      'https://[::1]',
      'https://[0:0:0:0:0:0:0:1]',
      'https://[::ffff:127.0.0.1]:443',
      'https://0.0.0.0:443',
      'https://0x7f000001',
      'https://2130706433',
    ];
    for (const [proxySettings, env] of everyForm) {
      for (const target of local)
        assert.equal(chosen(new URL(target), proxySettings, env), undefined, `${target} via ${JSON.stringify(env)}`);
      assert.equal(chosen(new URL('http://api.factify.com'), proxySettings, env), undefined, 'plain http, even to another host');
      if (!('HTTP_PROXY' in env || 'http_proxy' in env))
        assert.notEqual(chosen(HTTPS_TARGET, proxySettings, env), undefined, 'a remote https origin still is');
    }
    for (const host of ['localhost', 'a.b.localhost', '127.0.0.1', '[::1]', '[::ffff:7f00:1]', '[::ffff:0:0]', '0.0.0.0']) {
      assert.equal(isLocalHost(host), true, host);
    }
    for (const host of ['localhost.example.com', 'notlocalhost', '128.0.0.1', '[::2]', '[::ffff:8000:1]', 'api.factify.com', '10.0.0.1']) {
      assert.equal(isLocalHost(host), false, host);
    }
  });

  test('a proxy URL that cannot work throws', () => {
    assert.throws(() => chooseProxy(HTTPS_TARGET, settings({ proxy: 'http://exa mple:3128' }), {}), /not a valid URL/);
    assert.throws(() => chooseProxy(HTTPS_TARGET, settings(), { HTTPS_PROXY: 'socks5://corp:1080' }), /Only http and https proxies/);
  });
});
