/**
 * The list of keys for the current token, organization and revoked-keys setting, and the requests that
 * change it. One list request is in flight at a time; an answer that no longer matches what the user asked
 * for (organization switched, key revoked meanwhile) is discarded, never shown.
 */
import { markRevoked, unrevocableKeyMessage, type ApiKey, type RejectedRecord } from './apiKey';
import { describeWait, type FactifyClient, type RequestAuth } from './client';
import { FactifyError, describeForLog, toFactifyError, type Logger } from './errors';
import { type KeyId, type OrgId } from './ids';
import { t } from './l10n';

export interface KeysQuery {
  readonly includeRevoked: boolean;
  readonly organizationId: OrgId | undefined;
}

export interface LoadedKeys {
  readonly keys: readonly ApiKey[];
  readonly rejected: readonly RejectedRecord[];
  readonly query: KeysQuery;
  readonly loadedAt: number;
}

export interface KeysSnapshot {
  readonly signedIn: boolean;
  /** The last good answer for the current organization; kept while a refresh runs or fails. */
  readonly loaded: LoadedKeys | undefined;
  readonly loading: boolean;
  /** The last failure; cleared by the next success. */
  readonly error: FactifyError | undefined;
  /** A passing condition worth showing, such as waiting out a rate limit. */
  readonly notice: string | undefined;
}

export type RevokeOutcome =
  | { readonly kind: 'revoked' }
  | { readonly kind: 'alreadyRevoked' }
  | { readonly kind: 'failed'; readonly error: FactifyError }
  /** Nothing was sent: the organization or token is no longer the one the user confirmed. */
  | { readonly kind: 'notSent'; readonly reason: string };

export interface KeysStoreDeps {
  /** Throws a FactifyError when the settings do not allow a request (e.g. an http base URL). */
  readonly client: () => FactifyClient;
  /** Undefined while signed out. */
  readonly auth: () => RequestAuth | undefined;
  readonly includeRevoked: () => boolean;
  readonly now: () => number;
  readonly log: Logger;
  /** Something to do while a list is on its way (see ListOptions.whileWaiting). */
  readonly whileListing?: (answered: Promise<unknown>) => void;
}

type Listener = () => void;

interface InFlightList {
  readonly queryKey: string;
  readonly generation: number;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

const SIGNED_OUT: KeysSnapshot = { signedIn: false, loaded: undefined, loading: false, error: undefined, notice: undefined };

export class KeysStore {
  private state: KeysSnapshot = SIGNED_OUT;
  private readonly listeners = new Set<Listener>();
  private inFlight: InFlightList | undefined;
  /** Bumped whenever an answer in flight must no longer be applied. */
  private generation = 0;
  /** Aborted (and replaced) on reset: cancels everything started for the previous token or organization. */
  private epoch = new AbortController();
  /** Revokes in flight by key id: asking again joins the request and gets its outcome. */
  private readonly revoking = new Map<string, Promise<RevokeOutcome>>();
  /** The epoch each context handed out by `currentAuth` was captured in. */
  private readonly confirmedIn = new WeakMap<RequestAuth, AbortSignal>();
  /** Ids known to be revoked since the last reset: revocation is permanent, so asking again sends nothing. */
  private readonly revoked = new Set<string>();

  constructor(private readonly deps: KeysStoreDeps) {}

  get snapshot(): KeysSnapshot {
    return this.state;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Fetches the list. Joins the request in flight when it asks the same; never rejects. */
  refresh(): Promise<void> {
    const auth = this.deps.auth();
    if (!auth) {
      this.reset();
      return Promise.resolve();
    }
    const query: KeysQuery = { includeRevoked: this.deps.includeRevoked(), organizationId: auth.organizationId };
    const queryKey = JSON.stringify(query);
    if (this.inFlight?.queryKey === queryKey) return this.inFlight.done;
    this.inFlight?.controller.abort();
    const generation = ++this.generation;
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, this.epoch.signal]);
    this.update({ signedIn: true, loading: true, notice: undefined });
    const done = this.load(auth, query, generation, signal).finally(() => {
      if (this.inFlight?.generation === generation) this.inFlight = undefined;
    });
    this.inFlight = { queryKey, generation, controller, done };
    return done;
  }

  private async load(auth: RequestAuth, query: KeysQuery, generation: number, signal: AbortSignal): Promise<void> {
    const started = this.deps.now();
    try {
      const list = await this.deps.client().listKeys(auth, {
        includeRevoked: query.includeRevoked,
        signal,
        contextChange: () => this.contextChange(auth),
        whileWaiting: this.deps.whileListing,
        onRateLimited: ({ waitMs }) => {
          if (generation !== this.generation) return;
          this.deps.log.warn(`List rate-limited (429); retrying in ${waitMs} ms.`);
          this.update({ notice: t('Factify is limiting requests; trying again in {0}…', describeWait(waitMs)) });
        },
      });
      if (generation !== this.generation) return;
      // The token or organization changed while the list was on its way, before anything said so (another
      // window switched accounts, and the accounts announce it once they have read everything): this answer
      // is not the current account's. It is dropped, and the list asked for again under the current one.
      if (this.contextChange(auth) !== undefined) {
        this.deps.log.info('A list arrived after the token or organization changed; asking again under the current one.');
        this.inFlight = undefined;
        void this.refresh();
        return;
      }
      this.deps.log.info(`Listed ${list.keys.length} keys (${describeQuery(query)}) in ${this.deps.now() - started} ms.`);
      for (const rejected of list.rejected) {
        this.deps.log.warn(`Skipped record #${rejected.index}${rejected.id ? ` (${rejected.id})` : ''}: ${rejected.problem}.`);
      }
      this.update({
        loaded: { keys: list.keys, rejected: list.rejected, query, loadedAt: this.deps.now() },
        loading: false,
        error: undefined,
        notice: undefined,
      });
    } catch (thrown) {
      if (generation !== this.generation) return;
      const error = toFactifyError(thrown);
      this.deps.log.error(`Listing keys (${describeQuery(query)}) failed: ${describeForLog(error)}`);
      this.update({ loading: false, error, notice: undefined });
    }
  }

  /**
   * Forgets the list and cancels every request: after sign-out, a token change or an organization switch.
   * `notice` says why, where the view shows it (e.g. signed out because the token's own key was revoked).
   */
  reset(notice?: string): void {
    this.generation++;
    this.inFlight = undefined;
    this.epoch.abort();
    this.epoch = new AbortController();
    this.revoking.clear();
    this.revoked.clear();
    this.state = { ...SIGNED_OUT, signedIn: this.deps.auth() !== undefined, notice };
    this.emit();
  }

  /** The token and organization a request would go out under now: what a confirmation must capture. */
  currentAuth(): RequestAuth | undefined {
    const auth = this.deps.auth();
    if (auth) this.confirmedIn.set(auth, this.epoch.signal);
    return auth;
  }

  /** Why a request confirmed under `confirmed` must not go out now, or undefined when it still may. */
  contextChange(confirmed: RequestAuth): string | undefined {
    const current = this.deps.auth();
    // Each reason completes "Not sent: …" and "“name” was not revoked: …".
    if (!current) return t('you signed out after confirming');
    if (current.token !== confirmed.token) return t('the API token changed after you confirmed');
    if (current.organizationId !== confirmed.organizationId) return t('the organization changed after you confirmed');
    // A reset since (the API base URL or proxy settings changed, say) cancelled what was in flight; what was
    // still queued is not sent to wherever the new settings point either.
    if (this.confirmedIn.get(confirmed)?.aborted) return t('the connection settings changed after you confirmed');
    return undefined;
  }

  isRevoking(key: ApiKey): boolean {
    return this.revoking.has(key.id);
  }

  /**
   * Revokes one key under `confirmed`, the token and organization the user saw when confirming (see
   * `currentAuth`). When they are no longer the current ones, before the DELETE or before a retry, nothing is
   * sent. Asking again while a key is being revoked joins that request; once it is revoked, sends nothing.
   */
  async revoke(key: ApiKey, reason: string | undefined, confirmed: RequestAuth | undefined): Promise<RevokeOutcome> {
    const auth = confirmed;
    if (!auth) return { kind: 'failed', error: new FactifyError('unauthorized', t('Sign in first: run “Factify: Set API Token…”.')) };
    if (!key.keyId) {
      return {
        kind: 'failed',
        error: new FactifyError('invalidResponse', unrevocableKeyMessage()),
      };
    }
    const changed = this.contextChange(auth);
    if (changed !== undefined) {
      this.deps.log.warn(`Did not revoke ${key.id}: ${changed}.`);
      return { kind: 'notSent', reason: changed };
    }
    const current = this.state.loaded?.keys.find((candidate) => candidate.id === key.id) ?? key;
    const pending = this.revoking.get(key.id);
    if (pending) return pending;
    if (current.revokedAt !== undefined || this.revoked.has(key.id)) return { kind: 'alreadyRevoked' };
    const request: Promise<RevokeOutcome> = this.sendRevoke(auth, key, key.keyId, reason).finally(() => {
      if (this.revoking.get(key.id) === request) this.revoking.delete(key.id);
    });
    this.revoking.set(key.id, request);
    return request;
  }

  private async sendRevoke(auth: RequestAuth, key: ApiKey, keyId: KeyId, reason: string | undefined): Promise<RevokeOutcome> {
    try {
      await this.deps.client().revokeKey(auth, keyId, reason, {
        signal: this.epoch.signal,
        contextChange: () => this.contextChange(auth),
        onRateLimited: ({ waitMs }) => this.deps.log.warn(`Revoking ${key.id} rate-limited (429); retrying in ${waitMs} ms.`),
      });
      this.deps.log.info(`Revoked ${key.id}${reason ? ' with a reason' : ''}.`);
      this.markRevoked(key.id, reason);
      return { kind: 'revoked' };
    } catch (thrown) {
      const error = toFactifyError(thrown);
      if (error.kind === 'notSent') {
        const why = this.contextChange(auth) ?? t('the organization or token changed after you confirmed');
        this.deps.log.warn(`Did not revoke ${key.id}: ${why}.`);
        return { kind: 'notSent', reason: why };
      }
      this.deps.log.error(`Revoking ${key.id} failed: ${describeForLog(error)}`);
      if (isAlreadyRevoked(error)) {
        this.markRevoked(key.id, undefined);
        return { kind: 'alreadyRevoked' };
      }
      return { kind: 'failed', error };
    }
  }

  /** Shows the key as revoked at once; a list answer already in flight predates this and is discarded. */
  private markRevoked(id: string, reason: string | undefined): void {
    this.revoked.add(id);
    const loaded = this.state.loaded;
    if (!loaded) return;
    this.generation++;
    this.inFlight?.controller.abort();
    this.inFlight = undefined;
    const now = this.deps.now();
    const keys = loaded.query.includeRevoked
      ? loaded.keys.map((candidate) => (candidate.id === id ? markRevoked(candidate, now, reason) : candidate))
      : loaded.keys.filter((candidate) => candidate.id !== id);
    this.update({ loaded: { ...loaded, keys }, loading: false });
  }

  dispose(): void {
    this.generation++;
    this.epoch.abort();
    this.listeners.clear();
  }

  private update(change: Partial<KeysSnapshot>): void {
    this.state = { ...this.state, ...change };
    this.emit();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A 409, or any answer saying the key is already revoked, means the work is done. */
function isAlreadyRevoked(error: FactifyError): boolean {
  if (error.kind === 'conflict') return true;
  const text = `${error.extra.problem?.title ?? ''} ${error.extra.problem?.detail ?? ''}`;
  return error.kind === 'badRequest' && /already\s+revoked/i.test(text);
}

function describeQuery(query: KeysQuery): string {
  return `${query.organizationId ? `organization override ${query.organizationId}` : "token's own organization"}, include_revoked=${query.includeRevoked}`;
}
