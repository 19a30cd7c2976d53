/**
 * The Factify API client over undici: list keys and revoke one. Every answer is untrusted: statuses, headers and
 * bodies are checked and turned into typed errors with a message a person can act on.
 */
import type * as Undici from 'undici';
import {
  parseKeyListInSlices,
  parseKeyListRuns,
  parseKeyListSlices,
  isPlainObject,
  unrevocableKeyMessage,
  yieldToEventLoop,
  type KeyList,
} from './apiKey';
import { EarlyConnection } from './earlyConnection';
import { keyListRuns, keyListSlices } from './keyListSlices';
import { FactifyError, type ProblemDetails } from './errors';
import { KEY_ID_PATTERN, ORG_ID_PATTERN, type ApiToken, type KeyId, type OrgId } from './ids';
import { loadWithCodeCache } from './codeCache';
import { t } from './l10n';
import { chooseProxy, type ProxySettings } from './proxy';
import { redactSecrets } from './redact';
import { displayText } from './text';

/** Bigger answers are refused rather than read into memory. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Past this size a body is parsed in a turn of the event loop of its own. */
const LONG_BODY_CHARS = 4 * 1024 * 1024;
/** Error bodies are only read this far: enough for any problem details. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

type HttpStack = typeof import('./httpStack');
/** A hash of dist/httpStack.js, written in by the build (esbuild.mjs); under tsc it is hashed when loaded. */
declare const HTTP_STACK_CONTENT_HASH: string | undefined;
let httpStack: HttpStack | undefined;
/** Writes the HTTP stack's compiled code for the next start, when it was loaded through a code cache. */
let unsavedHttpStackCode: (() => void) | undefined;
let httpStackCodeSaveScheduled = false;
/** By this long after the first answer, the code that answers need has been compiled too. */
const SAVE_CODE_AFTER_MS = 2_000;

/**
 * undici costs tens of milliseconds to load, so it loads on the first request, never during activation; with
 * `codeCacheDir`, through V8's code cache kept there (see codeCache.ts), which saves most of that.
 */
function loadHttpStack(codeCacheDir: string | undefined): HttpStack {
  if (httpStack) return httpStack;
  const contentHash = typeof HTTP_STACK_CONTENT_HASH === 'string' ? HTTP_STACK_CONTENT_HASH : undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
  const loaded = loadWithCodeCache(__dirname, 'httpStack.js', codeCacheDir, () => require('./httpStack') as HttpStack, contentHash);
  unsavedHttpStackCode = loaded.save;
  return (httpStack = loaded.exports);
}

function saveHttpStackCode(): void {
  const save = unsavedHttpStackCode;
  unsavedHttpStackCode = undefined;
  save?.();
}

/** After the first answer, in a quiet moment (or when a client closes first). */
function saveHttpStackCodeLater(): void {
  if (httpStackCodeSaveScheduled || !unsavedHttpStackCode) return;
  httpStackCodeSaveScheduled = true;
  setTimeout(saveHttpStackCode, SAVE_CODE_AFTER_MS).unref();
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** A `Retry-After` longer than this is not waited for: the user is told when to try again instead. */
  readonly maxWaitMs: number;
  /** Backoff when the server gives no `Retry-After`: base, then twice that, and so on. */
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, maxWaitMs: 10_000, baseDelayMs: 1_000 };

export interface ConnectionOptions {
  /** A checked origin (see `checkApiBaseUrl`): the only place the token is ever sent. */
  readonly origin: URL;
  readonly timeoutMs: number;
  readonly proxy: ProxySettings;
  readonly userAgent: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly maxBodyBytes?: number;
  readonly retry?: RetryPolicy;
  /**
   * The certificate authorities (PEM) the origin's certificate must chain to through a proxy, instead of Node's
   * own list; unset in the product (people add theirs with NODE_EXTRA_CA_CERTS), set by tests of a proxy.
   */
  readonly originCa?: string;
  /**
   * A directory of the extension's own (its global storage) where the HTTP stack's compiled code is kept
   * between starts; unset, it is compiled on every start.
   */
  readonly codeCacheDir?: string;
  /** How a rate-limit wait is waited out (rejects with `cancelled` on abort); a seam for tests, default a timer. */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

export interface RequestAuth {
  readonly token: ApiToken;
  /** Sent as `X-Factify-Organization-Id`; undefined means the token's own organization. */
  readonly organizationId: OrgId | undefined;
}

export interface RateLimitWait {
  readonly attempt: number;
  readonly waitMs: number;
}

/**
 * Asked before every attempt (the first, and each retry after a 429 wait): a reason not to send it, such as
 * "the organization changed after you confirmed", or undefined to go ahead.
 */
export type ContextCheck = () => string | undefined;

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Called before waiting out a 429, so the user sees a wait rather than an error. */
  readonly onRateLimited?: (wait: RateLimitWait) => void;
  /** When it gives a reason, nothing more is sent and the request fails as `notSent` with that reason. */
  readonly contextChange?: ContextCheck;
}

export interface ListOptions extends RequestOptions {
  readonly includeRevoked: boolean;
  /**
   * Called when the request has been handed to the HTTP stack, with a promise that settles once the answer's
   * headers have come (or the attempt failed): something to do meanwhile, on the event loop, in short turns.
   */
  readonly whileWaiting?: (answered: Promise<unknown>) => void;
}

type Operation = 'list' | 'revoke';

interface SuccessfulAnswer {
  readonly status: number;
  /** The body as text; a list's as its bytes, turned into text only where it must be parsed. */
  readonly text: string | Buffer;
}

interface PreparedRequest {
  readonly operation: Operation;
  readonly method: 'GET' | 'DELETE';
  readonly url: URL;
  readonly auth: RequestAuth;
  readonly body?: string;
  readonly signal: AbortSignal | undefined;
  readonly onRateLimited?: (wait: RateLimitWait) => void;
  readonly contextChange?: ContextCheck;
  readonly whileWaiting?: (answered: Promise<unknown>) => void;
}

export class FactifyClient {
  private dispatcher: Undici.Dispatcher | undefined;
  /** The last list answer and what it became; its bytes only when short (a long one would stay tens of MB). */
  private lastList: { url: string; organizationId: OrgId | undefined; bytes: Buffer | undefined; list: KeyList } | undefined;
  /** `host:port` of the proxy in use (never its credentials), for messages. */
  private proxyHost: string | undefined;
  /** A connection opened ahead of the first request, handed to the HTTP stack when it connects. */
  private early: EarlyConnection | undefined;
  /** Settles when the HTTP stack has loaded after the early connection's first bytes went out. */
  private stackLoadedEarly: Promise<void> | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  get origin(): URL {
    return this.options.origin;
  }

  private get maxBodyBytes(): number {
    return this.options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  async listKeys(auth: RequestAuth, options: ListOptions): Promise<KeyList> {
    const url = new URL('/v1/api-keys', this.options.origin);
    url.searchParams.set('include_revoked', String(options.includeRevoked));
    const { status, text: answer } = await this.send({
      operation: 'list',
      method: 'GET',
      url,
      auth,
      signal: options.signal,
      onRateLimited: options.onRateLimited,
      contextChange: options.contextChange,
      whileWaiting: options.whileWaiting,
    });
    // Polling mostly brings back the very same answer: then the validated list is the previous one, as is.
    const previous = this.lastList;
    const sameQuery = previous !== undefined && previous.url === url.href && previous.organizationId === auth.organizationId;
    if (sameQuery && previous.bytes !== undefined && sameBytes(previous.bytes, answer)) return previous.list;
    // Records unchanged since the previous answer of this query are not validated twice. Its bytes are only
    // kept when short (a long one is tens of megabytes that need not stay alive while this one is parsed).
    const previousList = sameQuery ? previous.list : undefined;
    this.lastList = undefined;
    // Decoding and parsing a long list are each one long stretch of work: let the host breathe between them.
    const long = answer.length > LONG_BODY_CHARS;
    if (long) await yieldToEventLoop();
    // The bytes of an answer short enough to be kept for the next one.
    const short = long || typeof answer === 'string' ? undefined : answer;
    // Parsed a run of records at a time, a list knows where its runs lie: the next answer takes the runs with the
    // very same text as this one's as they are (see parseKeyListRuns).
    const runs = short !== undefined ? keyListRuns(short) : undefined;
    const byRuns = short !== undefined && runs && tryRuns(() => parseKeyListRuns(short, runs, previousList));
    if (byRuns) {
      this.lastList = { url: url.href, organizationId: auth.organizationId, bytes: short, list: byRuns };
      return byRuns;
    }
    // A long list is parsed a run of records at a time (see keyListSlices); one that cannot be, whole.
    const slices = long ? keyListSlices(answer) : undefined;
    const sliced = slices && (await parseKeyListSlices(slices, previousList).catch(undefinedIfSyntaxError));
    if (sliced) {
      // The bytes are not kept: an answer the same as this one gives back this very list all the same.
      this.lastList = { url: url.href, organizationId: auth.organizationId, bytes: undefined, list: sliced };
      return sliced;
    }
    const text = typeof answer === 'string' ? answer : utf8Text(answer);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new FactifyError(
        'invalidResponse',
        t('The server sent a list that is not valid JSON (it may have been cut off). Try Refresh; if it keeps happening, see the log.'),
        { status, logDetail: `${(error as Error).message}; ${text.length} characters received` },
      );
    }
    const list = await parseKeyListInSlices(body, previousList);
    this.lastList = { url: url.href, organizationId: auth.organizationId, bytes: short, list };
    return list;
  }

  /**
   * Resolves on 204 (or any 2xx). An empty or missing reason sends no body at all. A 429 is waited out and
   * retried like a list (a rate-limited DELETE did nothing), after asking `contextChange` again.
   */
  async revokeKey(auth: RequestAuth, keyId: KeyId, reason: string | undefined, options: RequestOptions = {}): Promise<void> {
    // The type already promises this; the check keeps a cast elsewhere from ever building a request.
    if (!KEY_ID_PATTERN.test(keyId)) throw new FactifyError('invalidResponse', unrevocableKeyMessage());
    const url = new URL(`/v1/api-keys/${keyId}`, this.options.origin);
    const body = reason ? JSON.stringify({ reason }) : undefined;
    await this.send({
      operation: 'revoke',
      method: 'DELETE',
      url,
      auth,
      body,
      signal: options.signal,
      onRateLimited: options.onRateLimited,
      contextChange: options.contextChange,
    });
  }

  /**
   * Opens the connection to the origin ahead of the first request and loads the HTTP stack meanwhile, so
   * that reading the token and loading overlap the round trips. Only TCP and the TLS handshake (with the
   * usual certificate checks): no HTTP and no token is sent until a request is made. Does nothing when a
   * proxy applies (the proxy decides where connections go) or when a connection was already made. Returns
   * undefined when it did not start, else a promise that settles (never rejects) once the connection is up
   * or has failed and the HTTP stack has loaded.
   */
  preconnect(): Promise<void> | undefined {
    if (this.dispatcher || this.early) return undefined;
    try {
      if (chooseProxy(this.options.origin, this.options.proxy, this.options.env ?? process.env)) return undefined;
    } catch {
      return undefined; // the first request reports the unusable proxy setting
    }
    const early = (this.early = new EarlyConnection(this.options.origin, this.options.timeoutMs));
    this.stackLoadedEarly = early.opened
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        try {
          loadHttpStack(this.options.codeCacheDir);
        } catch {
          // The request's own load throws again, where the failure is reported.
        }
      });
    return this.stackLoadedEarly;
  }

  /** Closes pooled connections; in-flight requests are aborted. */
  async close(): Promise<void> {
    saveHttpStackCode();
    this.early?.close();
    this.early = undefined;
    const dispatcher = this.dispatcher;
    this.dispatcher = undefined;
    await dispatcher?.destroy().catch(() => undefined);
  }

  /** A 2xx answer: its status and body (empty for a revoke); any other answer is thrown as a FactifyError. */
  private async send(request: PreparedRequest): Promise<SuccessfulAnswer> {
    if (request.auth.organizationId !== undefined && !ORG_ID_PATTERN.test(request.auth.organizationId)) {
      throw new FactifyError('invalidConfig', t('The selected organization id is not valid; switch organization again.'));
    }
    const retry = this.options.retry ?? DEFAULT_RETRY;
    for (let attempt = 1; ; attempt++) {
      throwIfContextChanged(request);
      try {
        return await this.attempt(request);
      } catch (error) {
        const retryable = error instanceof FactifyError && error.kind === 'rateLimited';
        if (!retryable || attempt >= retry.maxAttempts) throw error;
        const waitMs = error.extra.retryAfterMs ?? retry.baseDelayMs * 2 ** (attempt - 1);
        if (waitMs > retry.maxWaitMs) throw error;
        request.onRateLimited?.({ attempt, waitMs });
        try {
          await (this.options.sleep ?? sleep)(waitMs, request.signal);
        } catch (cancelled) {
          // Cancelled while waiting: nothing was sent since the 429, and the reason says why.
          throwIfContextChanged(request);
          throw cancelled;
        }
      }
    }
  }

  private async attempt(request: PreparedRequest): Promise<SuccessfulAnswer> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const headers: Record<string, string> = {
      authorization: `Bearer ${request.auth.token}`,
      accept: 'application/json, application/problem+json',
      'user-agent': this.options.userAgent,
    };
    if (request.auth.organizationId) headers['x-factify-organization-id'] = request.auth.organizationId;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      // Loading the HTTP stack blocks: not before the early connection's handshake is under way (or this
      // request is given up).
      if (this.stackLoadedEarly && !this.dispatcher) await Promise.race([this.stackLoadedEarly, abortedPromise(signal)]);
      const responding = this.getDispatcher().request({
        origin: request.url.origin,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers,
        body: request.body,
        signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      request.whileWaiting?.(responding);
      const response = await responding;
      const answer = await this.readResponse(response, request);
      saveHttpStackCodeLater();
      return answer;
    } catch (error) {
      throw this.describeFailure(error, request, deadline);
    }
  }

  private getDispatcher(): Undici.Dispatcher {
    if (this.dispatcher) return this.dispatcher;
    const { Agent, ProxyAgent } = loadHttpStack(this.options.codeCacheDir);
    let choice;
    try {
      choice = chooseProxy(this.options.origin, this.options.proxy, this.options.env ?? process.env);
    } catch (error) {
      throw new FactifyError('invalidConfig', t('{0} Fix it in the settings or the environment.', (error as Error).message));
    }
    // undici enforces the size cap while parsing, so bodies can be read whole with text(), the fast path.
    const limits = { connect: { timeout: this.options.timeoutMs }, maxResponseSize: this.maxBodyBytes };
    this.proxyHost = choice?.proxyUrl.host;
    this.dispatcher = choice
      ? new ProxyAgent({
          uri: choice.proxyUrl.href,
          // http.proxyStrictSSL is about the proxy's own certificate. The origin's is always verified: a proxy
          // that presents another certificate for it (TLS inspection) would read the token.
          proxyTls: { rejectUnauthorized: choice.strictSSL },
          requestTls: { rejectUnauthorized: true, ...(this.options.originCa ? { ca: this.options.originCa } : {}) },
          ...limits,
        })
      : new Agent({ ...limits, connect: this.connector(limits.connect) });
    return this.dispatcher;
  }

  /** undici's own connector, except that the first connection is the early one when it is ready and fits. */
  private connector(options: { timeout: number }): Undici.buildConnector.connector {
    const connect = loadHttpStack(this.options.codeCacheDir).buildConnector(options);
    return (target, callback) => {
      const early = this.early;
      this.early = undefined;
      if (!early) return connect(target, callback);
      void early.take(target).then((socket) => (socket ? callback(null, socket) : connect(target, callback)));
    };
  }

  private async readResponse(response: Undici.Dispatcher.ResponseData, request: PreparedRequest): Promise<SuccessfulAnswer> {
    const { statusCode: status, headers, body } = response;
    const contentType = headerValue(headers, 'content-type');
    if (status >= 200 && status < 300) {
      if (request.operation === 'revoke') {
        await body.dump();
        return { status, text: '' };
      }
      if (Number(headerValue(headers, 'content-length')) > this.maxBodyBytes) {
        body.destroy();
        throw tooLargeError(this.maxBodyBytes);
      }
      // A long list is read into one buffer of its declared size, never into chunks, a copy and a text.
      const declared = Number(headerValue(headers, 'content-length'));
      // A list is kept as its bytes: the next answer is compared with them, and text is made only of what is parsed.
      const text =
        request.operation !== 'list'
          ? await body.text()
          : declared > LONG_BODY_CHARS
            ? await readWhole(body, declared)
            : Buffer.from(await body.arrayBuffer());
      if (!isJsonContentType(contentType)) {
        throw new FactifyError(
          'invalidResponse',
          t(
            "The server answered with {0} instead of Factify's JSON. Check that “factify.apiBaseUrl” points at the Factify API.",
            describeContentType(contentType, request.auth.token),
          ),
          {
            status,
            logDetail: `content-type: ${contentType === undefined ? '(none)' : displayText(redactSecrets(contentType, [request.auth.token]), 200)}`,
          },
        );
      }
      return { status, text };
    }
    if (status >= 300 && status < 400) {
      await body.dump().catch(() => undefined);
      throw new FactifyError(
        'redirect',
        t(
          'The server answered with a redirect ({0}), which was not followed so that the token is never sent elsewhere. Check “factify.apiBaseUrl”.',
          status,
        ),
        { status, logDetail: `location origin: ${originOf(headerValue(headers, 'location'))}` },
      );
    }
    // A server may echo the token back (in a detail, say): it is masked before anything keeps the text.
    // Masked in the raw text and again in each decoded member (JSON escapes), always before any cut.
    const text = redactSecrets(await readStart(body, MAX_ERROR_BODY_BYTES), [request.auth.token]);
    const problem = parseProblemDetails(text, contentType, [request.auth.token]);
    const retryAfterMs = status === 429 ? parseRetryAfter(headerValue(headers, 'retry-after'), Date.now()) : undefined;
    const message = messageForStatus(status, request, problem, isHtml(contentType, text), retryAfterMs);
    throw new FactifyError(statusKind(status), message, {
      status,
      problem,
      retryAfterMs,
      logDetail: problem
        ? `problem: ${JSON.stringify(problem)}`
        : `body: ${contentType === undefined ? '(no content type)' : displayText(redactSecrets(contentType, [request.auth.token]), 60)}, ${text.length} characters`,
    });
  }

  private describeFailure(error: unknown, request: PreparedRequest, deadline: AbortSignal): FactifyError {
    if (error instanceof FactifyError) return error;
    if (request.signal?.aborted) return new FactifyError('cancelled', t('The request was cancelled.'));
    const codes = errorCodes(error);
    const code = codes[0];
    const host = this.options.origin.host;
    const logDetail = `${code ?? 'no code'}: ${redactSecrets(String((error as Error)?.message ?? error), [request.auth.token])}`;
    if (codes.includes('UND_ERR_RES_EXCEEDED_MAX_SIZE')) return tooLargeError(this.maxBodyBytes);
    if (deadline.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new FactifyError(
        'timeout',
        t(
          'Factify did not answer within {0}. Check your connection, or raise “factify.requestTimeoutSeconds”.',
          formatSeconds(this.options.timeoutMs),
        ),
        { logDetail },
      );
    }
    const tlsCode = codes.find(
      (candidate) => TLS_CODES.has(candidate) || candidate.startsWith('ERR_TLS') || candidate.startsWith('ERR_SSL'),
    );
    if (tlsCode !== undefined) {
      return new FactifyError(
        'tls',
        t(
          'Could not make a secure connection to {0} ({1}); the token was not sent. If a proxy or a company certificate is in the way, configure it for VS Code (http.proxy, NODE_EXTRA_CA_CERTS).',
          host,
          tlsCode,
        ),
        { logDetail },
      );
    }
    const message = String((error as Error)?.message ?? '');
    if (/proxy/i.test(message)) {
      const proxyStatus = /proxy response \((\d{3})\)/i.exec(message)?.[1];
      if (proxyStatus === '407') {
        const message = this.proxyHost
          ? t(
              'The proxy {0} asks for credentials (407 Proxy Authentication Required), so {1} was not reached. Check the user name and password in “http.proxy” (http://user:password@host:port).',
              this.proxyHost,
              host,
            )
          : t(
              'The proxy asks for credentials (407 Proxy Authentication Required), so {0} was not reached. Check the user name and password in “http.proxy” (http://user:password@host:port).',
              host,
            );
        return new FactifyError('network', message, { logDetail });
      }
      const target = proxyStatus ? `${host} (${proxyStatus})` : host;
      const refused = this.proxyHost
        ? t("The proxy {0} refused to connect to {1}. Check “http.proxy” and the proxy's credentials.", this.proxyHost, target)
        : t("The proxy refused to connect to {0}. Check “http.proxy” and the proxy's credentials.", target);
      return new FactifyError('network', refused, { logDetail });
    }
    if (this.proxyHost && (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')) {
      // Through a proxy, only the connection to the proxy itself fails like this.
      return new FactifyError(
        'network',
        code === 'ECONNREFUSED'
          ? t(
              'Could not connect to the proxy {0} (connection refused). Check “http.proxy” (or HTTPS_PROXY) and your network.',
              this.proxyHost,
            )
          : t('Could not connect to the proxy {0} (host not found). Check “http.proxy” (or HTTPS_PROXY) and your network.', this.proxyHost),
        { logDetail },
      );
    }
    switch (code) {
      case 'ECONNREFUSED':
        return new FactifyError(
          'network',
          t('Could not connect to {0} (connection refused). Check “factify.apiBaseUrl” and your network.', host),
          { logDetail },
        );
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new FactifyError(
          'network',
          t('Could not find the host {0}. Check “factify.apiBaseUrl” and your network.', this.options.origin.hostname),
          { logDetail },
        );
      case 'ECONNRESET':
      case 'EPIPE':
      case 'UND_ERR_SOCKET':
      case 'UND_ERR_CLOSED':
        return new FactifyError(
          'network',
          t('The connection to {0} closed before Factify answered. Try again; if it keeps happening, a proxy may be interfering.', host),
          { logDetail },
        );
      default:
        return new FactifyError('network', t('Could not reach {0}. Check your network and “factify.apiBaseUrl”.', host), { logDetail });
    }
  }
}

/** What `parse` gives, or undefined when a run of records turned out not to be valid JSON on its own. */
function tryRuns(parse: () => KeyList): KeyList | undefined {
  try {
    return parse();
  } catch (error) {
    return undefinedIfSyntaxError(error);
  }
}

/** A run of records that is not valid JSON: the whole answer is parsed instead, which says what is wrong. */
function undefinedIfSyntaxError(error: unknown): undefined {
  if (error instanceof SyntaxError) return undefined;
  throw error;
}

function throwIfContextChanged(request: PreparedRequest): void {
  const reason = request.contextChange?.();
  if (reason !== undefined)
    throw new FactifyError('notSent', t('Not sent: {0}.', reason), { logDetail: `${request.method} ${request.url.pathname} not sent` });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

function statusKind(status: number): FactifyError['kind'] {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 429:
      return 'rateLimited';
    default:
      return status >= 500 ? 'server' : 'badRequest';
  }
}

function messageForStatus(
  status: number,
  request: PreparedRequest,
  problem: ProblemDetails | undefined,
  html: boolean,
  retryAfterMs: number | undefined,
): string {
  const said = problem?.detail ?? problem?.title;
  // The server's words go in as an argument of a sentence of their own, between ours.
  const serverSays = said ? t('Factify said: “{0}”', redactSecrets(said, [request.auth.token])) : undefined;
  const sentences = (...parts: Array<string | undefined>) => parts.filter((part) => part !== undefined).join(' ');
  const seeLog = () => t('If it keeps happening, the details are in the log (“Factify: Show Log”).');
  const org = request.auth.organizationId;
  switch (status) {
    case 400:
      return sentences(t('Factify rejected the request (400).'), serverSays, seeLog());
    case 401:
      return t('Factify did not accept the API token (401). Set a new one with “Factify: Set API Token…”.');
    case 403:
      if (org)
        return t(
          "Only Factify staff can act as another organization: Factify refused the request for {0} (403). Switch back to your token's own organization.",
          org,
        );
      if (request.operation === 'revoke') return sentences(t('Revoking requires the organization admin role (403).'), serverSays);
      return sentences(
        t('Factify refused access to the keys (403).'),
        serverSays,
        t("Check that the token may list this organization's keys, or set another with “Factify: Set API Token…”."),
      );
    case 404:
      if (request.operation === 'revoke') return t('That key no longer exists in this organization (404); refresh the list.');
      if (org) return t('Organization {0} was not found (404). Switch organization.', org);
      return t('Factify answered 404 for the key list. Check “factify.apiBaseUrl”.');
    case 409:
      if (request.operation === 'revoke') return sentences(t('The key is already revoked (409).'), serverSays, t('Refresh to see it.'));
      return sentences(
        t('Factify answered 409 (conflict) for the key list.'),
        serverSays,
        t('Try Refresh; if it keeps happening, the details are in the log (“Factify: Show Log”).'),
      );
    case 429:
      return retryAfterMs === undefined
        ? t('Factify is limiting requests (429). Try again in a moment.')
        : t('Factify is limiting requests (429). Try again in {0}.', describeWait(retryAfterMs));
    default:
      if (status >= 500) {
        const via = html ? t('The answer was an HTML page, so a proxy or gateway between you and Factify may be failing.') : serverSays;
        return sentences(t('Factify could not answer ({0}).', status), via, t('Try Refresh in a moment.'));
      }
      return sentences(
        t('Factify answered with an unexpected status ({0}).', status),
        serverSays,
        t('Try Refresh; if it keeps happening, the details are in the log (“Factify: Show Log”).'),
      );
  }
}

/**
 * Problem details members with the wrong types are ignored, never trusted or shown raw. Each member is
 * redacted as decoded, then cut.
 */
function parseProblemDetails(text: string, contentType: string | undefined, secrets: readonly string[] = []): ProblemDetails | undefined {
  if (!isJsonContentType(contentType) && !text.trimStart().startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const text300 = (member: unknown) =>
    typeof member === 'string' && member.trim() !== '' ? displayText(redactSecrets(member.trim(), secrets), 300) : undefined;
  const problem: ProblemDetails = {
    type: text300(value['type']),
    title: text300(value['title']),
    status: typeof value['status'] === 'number' ? value['status'] : undefined,
    detail: text300(value['detail']),
  };
  return Object.values(problem).some((member) => member !== undefined) ? problem : undefined;
}

/** A `Retry-After` longer than this is taken as this: nobody waits for it, and the wording stays sane. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

const DAY_NAME = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY_NAME = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** The three HTTP-date forms: IMF-fixdate, the obsolete RFC 850 form and asctime, all in GMT. */
const IMF_FIXDATE = new RegExp(`^${DAY_NAME}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${LONG_DAY_NAME}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY_NAME} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * `Retry-After` in milliseconds from now, as RFC 9110 defines it: delta-seconds (digits only) or an
 * HTTP-date (a date already past means now). Anything else — negative, fractional, signed, garbage — is
 * undefined, as if absent, so the caller backs off instead of retrying at once. Capped at a day.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_MS, Number(trimmed) * 1000);
  const date = parseHttpDate(trimmed);
  return date === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs));
}

function parseHttpDate(text: string): number | undefined {
  let parts: { day: string; month: string; year: number; hour: string; minute: string; second: string } | undefined;
  let match = IMF_FIXDATE.exec(text);
  if (match)
    parts = {
      day: match[1] ?? '',
      month: match[2] ?? '',
      year: Number(match[3]),
      hour: match[4] ?? '',
      minute: match[5] ?? '',
      second: match[6] ?? '',
    };
  else if ((match = RFC850_DATE.exec(text))) {
    // Two-digit years: RFC 9110 says a year more than 50 years ahead is in the past century.
    const short = Number(match[3]);
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + short;
    if (year > thisYear + 50) year -= 100;
    parts = { day: match[1] ?? '', month: match[2] ?? '', year, hour: match[4] ?? '', minute: match[5] ?? '', second: match[6] ?? '' };
  } else if ((match = ASCTIME_DATE.exec(text))) {
    parts = {
      day: (match[2] ?? '').trim(),
      month: match[1] ?? '',
      year: Number(match[6]),
      hour: match[3] ?? '',
      minute: match[4] ?? '',
      second: match[5] ?? '',
    };
  }
  if (!parts) return undefined;
  const [day, hour, minute, second] = [parts.day, parts.hour, parts.minute, parts.second].map(Number) as [number, number, number, number];
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(parts.year, MONTHS.indexOf(parts.month), day, hour, minute, Math.min(second, 59));
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A wait worded for a person: "1 second", "45 seconds", "2 minutes", "about 3 hours", "a day or more". It
 * always follows "in" ("Try again in …"), which a translation may need (German: "in etwa einem Tag").
 */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return seconds === 1 ? t('1 second') : t('{0} seconds', seconds);
  // A wait that rounds to 60 minutes is worded in hours, as one that rounds to 24 hours is "about a day".
  if (seconds < 3_570) {
    const minutes = Math.round(seconds / 60);
    if (seconds % 60 === 0) return minutes === 1 ? t('1 minute') : t('{0} minutes', minutes);
    return minutes === 1 ? t('about 1 minute') : t('about {0} minutes', minutes);
  }
  if (seconds < 86_400) {
    const hours = Math.round(seconds / 3_600);
    if (hours === 24) return t('about a day');
    if (seconds % 3_600 === 0) return hours === 1 ? t('1 hour') : t('{0} hours', hours);
    return hours === 1 ? t('about 1 hour') : t('about {0} hours', hours);
  }
  return t('a day or more');
}

type BodyStream = Undici.Dispatcher.ResponseData['body'];

function tooLargeError(limit: number): FactifyError {
  return new FactifyError(
    'invalidResponse',
    t("The server's answer is larger than {0} MiB, so it was not read. Check “factify.apiBaseUrl”.", Math.round(limit / 1024 / 1024)),
  );
}

/** A body of `length` declared bytes, copied into one buffer as it arrives. */
async function readWhole(body: BodyStream, length: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafeSlow(length);
  let size = 0;
  const beyond: Buffer[] = []; // undici holds a body to its declared length: never used, unless that changes
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const fits = Math.min(chunk.length, length - size);
    chunk.copy(bytes, size, 0, fits);
    size += fits;
    if (fits < chunk.length) beyond.push(chunk.subarray(fits));
  }
  return beyond.length ? Buffer.concat([bytes, ...beyond]) : bytes.subarray(0, size);
}

function sameBytes(bytes: Buffer, answer: string | Buffer): boolean {
  return typeof answer !== 'string' && bytes.equals(answer);
}

/** UTF-8 bytes as text, without a byte order mark (as undici's text() reads a body). */
function utf8Text(bytes: Buffer): string {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString('utf8', bom ? 3 : 0);
}

/** The first `limit` bytes of a body as text; the rest is never read. */
async function readStart(body: BodyStream, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(size + chunk.length > limit ? chunk.subarray(0, limit - size) : chunk);
    size = Math.min(limit, size + chunk.length);
    if (size === limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function headerValue(headers: Undici.Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim());
}

function isHtml(contentType: string | undefined, text: string): boolean {
  return /html/i.test(contentType ?? '') || /^\s*<(!doctype|html)/i.test(text);
}

/** What the server answered with, as "The server answered with … instead of Factify's JSON" says it. */
function describeContentType(contentType: string | undefined, token: string): string {
  if (!contentType) return t('an answer of unknown type');
  if (/html/i.test(contentType)) return t('an HTML page');
  return t('“{0}”', displayText(redactSecrets(contentType.split(';')[0] ?? '', [token]), 60));
}

function originOf(location: string | undefined): string {
  if (!location) return '(none)';
  try {
    return new URL(location).origin;
  } catch {
    return '(relative or invalid)';
  }
}

/** The `code`s along an error's `cause` chain, outermost first (undici wraps socket and TLS errors). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (
    let current = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    current && depth < 5;
    current = current.cause as typeof current, depth++
  ) {
    if (typeof current.code === 'string') codes.push(current.code);
  }
  return codes;
}

function formatSeconds(ms: number): string {
  const seconds = ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10;
  return seconds === 1 ? t('1 second') : t('{0} seconds', seconds);
}

/** Resolves when `signal` aborts (never rejects). */
function abortedPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FactifyError('cancelled', t('The request was cancelled.')));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FactifyError('cancelled', t('The request was cancelled.')));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
