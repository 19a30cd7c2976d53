/**
 * The parts of undici the client uses. Never imported statically: client.ts requires it on the first request,
 * and the bundle ships it as its own file (dist/httpStack.js) so that activation does not even parse it.
 * Loading it costs tens of milliseconds; the client overlaps that with opening the connection (see
 * EarlyConnection).
 *
 * Taken from the modules that define them rather than from undici's entry point: the entry also loads
 * fetch, WebSocket, cookies, mocks, caches and interceptors the client never uses, and its cookie module reads
 * `globalThis.Headers`, which makes Node load and compile its own bundled copy of undici as well. Together
 * that was over half of the HTTP stack's loading time in a fresh extension host. The entry's one side effect
 * the client needs is repeated here: the request API mixed into every dispatcher. Should a release of undici
 * move one of these modules, the build fails to resolve it: no user gets a broken HTTP stack.
 */
import type * as Undici from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports -- undici's modules have no types of their own */
const Dispatcher = require('undici/lib/dispatcher/dispatcher') as typeof Undici.Dispatcher;
Object.assign(Dispatcher.prototype, require('undici/lib/api') as object);

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export const ProxyAgent = require('undici/lib/dispatcher/proxy-agent') as typeof Undici.ProxyAgent;
export const buildConnector = require('undici/lib/core/connect') as typeof Undici.buildConnector;
/* eslint-enable @typescript-eslint/no-require-imports */
