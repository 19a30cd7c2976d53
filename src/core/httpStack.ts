/**
 * The part of undici the client uses, through its public entry point (so any 7.x release, security fixes
 * included, works). Never imported statically: client.ts requires it on the first request, and the bundle
 * ships it as its own file (dist/httpStack.js) so that activation does not even parse it. Loading it costs
 * tens of milliseconds; the client overlaps that with opening the connection (see EarlyConnection).
 */
export { Agent, ProxyAgent, buildConnector } from 'undici';
