/**
 * Credential safety and the fault matrix: nothing leaks, nothing hangs, every failure is explained.
 *
 * Each case is one test named `Fnn <case>`, run against the local Factify server's fault modes, with a second
 * loopback "decoy" origin where a leaked token could go. Every case asserts the user-facing outcome (the
 * FactifyError kind and a message that says what happened and what to do next) and, where it matters, what
 * the server, the decoy or the proxy recorded. The cases live in `./faultMatrix/`, one file per theme, over the
 * harness in `./helpers/faultMatrix.ts`; they all run here, in one process, so that every message, log line and
 * prompt any of them produced is collected, and F99 searches all of it (and every request the decoy and the
 * proxies saw) for every token used.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  unhandledRejections,
  evidence,
  MARKER_TOKEN,
  PROXY_PASSWORD,
  WRONG_PROXY_PASSWORD,
  server,
  decoy,
  proxies,
  clients,
  resetMatrix,
  startMatrix,
  stopMatrix,
} from './helpers/faultMatrix';
import { faultMatrixServerBodies } from './faultMatrix/serverBodies';
import { faultMatrixServerTransport } from './faultMatrix/serverTransport';
import { faultMatrixClientSide } from './faultMatrix/clientSide';
import { faultMatrixHostileText } from './faultMatrix/hostileText';
import { faultMatrixProxy } from './faultMatrix/proxy';
import { faultMatrixConfirmedContext } from './faultMatrix/confirmedContext';

before(startMatrix);
beforeEach(resetMatrix);
after(stopMatrix);

faultMatrixServerBodies();
faultMatrixServerTransport();
faultMatrixClientSide();
faultMatrixHostileText();
faultMatrixProxy();
faultMatrixConfirmedContext();

// ---------------------------------------------------------------------------------------------------------

test('F99 no token in any message, log line or decoy request', () => {
  const secrets = [
    server.tokens.admin,
    server.tokens.member,
    server.tokens.staff,
    server.tokens.unknown,
    server.tokens.otherOrgAdmin,
    MARKER_TOKEN,
    PROXY_PASSWORD,
    WRONG_PROXY_PASSWORD,
    'hunter2-Canary-pw',
    'pw-Canary-2',
  ];
  // The random tails too, so that a partly masked token is caught as well.
  const needles = [...secrets, ...secrets.filter((secret) => secret.startsWith('ffy_')).map((token) => token.slice(-16))];
  assert.ok(evidence.messages.length >= 40, `collected ${evidence.messages.length} messages`);
  assert.ok(evidence.rawLog.length >= 40, `collected ${evidence.rawLog.length} log lines`);
  assert.ok(evidence.prompts.length >= 10, `collected ${evidence.prompts.length} prompt texts`);
  const places: Array<[string, readonly string[]]> = [
    ['message', evidence.messages],
    ['log line (as written by the core)', evidence.rawLog],
    ['log line (as shown)', evidence.log],
    ['prompt', evidence.prompts],
    ['decoy request', decoy.requests.map((request) => JSON.stringify(request))],
    ['proxy record', proxies.flatMap((p) => [...p.connects, ...p.forwards].map((entry) => JSON.stringify(entry)))],
    [
      'proxy tunnel',
      proxies.flatMap((p) => p.connects.map((connect) => Buffer.concat([connect.sent, connect.received]).toString('latin1'))),
    ],
  ];
  for (const [place, texts] of places) {
    for (const text of texts) {
      for (const needle of needles)
        assert.ok(!text.includes(needle), `a secret (…${needle.slice(-6)}) is in a ${place}: ${text.slice(0, 200)}`);
    }
  }

  // Authorization only ever went to the configured origin, over https or http on loopback.
  assert.equal(decoy.requests.length, 0, 'the decoy never received anything');
  for (const p of proxies) {
    for (const entry of [...p.connects, ...p.forwards]) assert.equal(entry.headers['authorization'], undefined);
  }
  for (const created of clients) {
    const origin = created.origin;
    assert.ok(origin.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(origin.hostname), `${origin.href}`);
    assert.equal(origin.pathname, '/');
  }

  // A server that echoes the token in a problem detail (F25) is made safe by the redaction, not by luck.
  assert.ok(evidence.messages.some((message) => message.includes('[redacted]')));

  assert.deepEqual(unhandledRejections, [], 'no unhandled rejection');
});
