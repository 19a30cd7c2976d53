/**
 * The part of undici the client uses: its dispatchers, connector and request API, without the rest of its
 * entry point (fetch, WebSocket, EventSource, caches, mocks), which costs about three times as much to load
 * and is never used here. These are the very modules undici's entry point exports (a unit test proves it
 * for the installed release), and the request API is added to dispatchers exactly as that entry point adds
 * it. The package stays on a caret range: a 7.x release that moved one of these files fails the build, not
 * the extension. Never imported statically: client.ts loads it on the first request, and the bundle ships it
 * as its own file (dist/httpStack.js) so that activation does not even parse it.
 */
import type * as Undici from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports -- undici's own files, for which it ships no types */
const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
const requestApi = require('undici/lib/api') as object;
export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export const ProxyAgent = require('undici/lib/dispatcher/proxy-agent') as typeof Undici.ProxyAgent;
export const buildConnector = require('undici/lib/core/connect') as typeof Undici.buildConnector;
/* eslint-enable @typescript-eslint/no-require-imports */

// What undici's entry point does to give every dispatcher request(), stream(), pipeline(), connect(), upgrade().
Object.assign(Dispatcher.prototype, requestApi);
