/** The decoy origin the tests use to catch a leaked token (test/server/decoy.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDecoyServer } from '../server/decoy';
import { call } from './helpers/serverCalls';

test('decoy server records every request and answers 200 decoy', async (t) => {
  const decoy = await startDecoyServer();
  t.after(() => decoy.close());
  const reply = await call(decoy.url, '/v1/api-keys?x=1', {
    method: 'POST',
    headers: { Authorization: 'Bearer leaked', 'Content-Type': 'application/json' },
    body: '{"a":1}',
  });
  assert.deepEqual([reply.status, reply.body], [200, 'decoy']);
  assert.equal(decoy.requests.length, 1);
  const [request] = decoy.requests;
  assert.deepEqual(
    [request.method, request.url, request.headers.authorization, request.body],
    ['POST', '/v1/api-keys?x=1', 'Bearer leaked', '{"a":1}'],
  );
  decoy.clearRequests();
  assert.equal(decoy.requests.length, 0);
});
