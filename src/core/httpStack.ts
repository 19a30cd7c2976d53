/**
 * The part of undici the client uses: the connection pools and the request API. undici's index also loads
 * fetch, WebSocket, EventSource, caches and mocks, which doubles what a first request has to load (~200 KB,
 * 25–50 ms cold here). The deep paths are why undici's version is pinned exactly in package.json.
 *
 * Never imported statically: client.ts requires it on the first request, and the bundle ships it as its own
 * file (dist/httpStack.js) so that activation does not even parse it.
 */
import type * as Undici from 'undici';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
// What undici's index does to give every dispatcher `request()`.
Object.assign(Dispatcher.prototype, require('undici/lib/api') as object);

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export const ProxyAgent = require('undici/lib/dispatcher/proxy-agent') as typeof Undici.ProxyAgent;
