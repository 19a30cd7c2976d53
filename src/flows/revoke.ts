/** Revoke API Key…: reason, confirmation, DELETE, and a per-key summary. */
import { keyState, UNREVOCABLE_KEY_MESSAGE, type ApiKey } from '../core/apiKey';
import { FactifyError } from '../core/errors';
import { displayText, escapeThemeIcons } from '../core/text';
import { type AppContext } from './context';
import { describeAccount, signOutAccounts } from './account';
import { prefixStartsToken, type Account } from '../core/accounts';
import { describeOrganization } from './organizationLabel';
import { pointsToLog } from '../core/remedies';
import { notify, notifyError } from './recovery';

const MAX_REASON_LENGTH = 500;
/** Several DELETEs at once, but few enough not to trip the rate limit. */
const CONCURRENCY = 4;

export interface KeyResult {
  readonly key: ApiKey;
  readonly outcome: 'revoked' | 'alreadyRevoked' | 'failed' | 'notSent';
  readonly error?: FactifyError;
  /** For `notSent`: why nothing was sent. */
  readonly reason?: string;
}

export interface RevokeOptions {
  /** Offered as the reason, still editable (e.g. where a leaked key was found). */
  readonly reason?: string;
}

/**
 * The leak quick fix: revokes a key found in a file. The menu offered it for the organization requests went
 * to then; that may have changed since (switch, sign-out), so it is checked again now, and otherwise nothing is sent.
 */
export async function revokeFoundKey(
  ctx: AppContext,
  key: ApiKey,
  reason: string,
  isCurrentOrganization: (key: ApiKey) => boolean,
): Promise<KeyResult[] | undefined> {
  if (!isCurrentOrganization(key)) {
    await ctx.prompts.info(
      `“${displayText(key.name, 80)}” is not a key of the organization Factify works with now, so it was not revoked. Use Switch Organization… to go to its organization, then revoke it.`,
    );
    return undefined;
  }
  return revokeKeys(ctx, [key], { reason });
}

/**
 * Revokes the given keys (from the tree), or asks which one (from the palette). Returns the results, or
 * undefined when the user cancelled before anything was sent.
 */
export async function revokeKeys(
  ctx: AppContext,
  selected: readonly ApiKey[] | undefined,
  options: RevokeOptions = {},
): Promise<KeyResult[] | undefined> {
  const keys = selected && selected.length > 0 ? revocable(ctx, selected) : await pickKey(ctx);
  if (keys === undefined) return undefined;
  if (keys.length === 0) {
    const unrevocable = selected?.some((key) => key.keyId === undefined) ?? false;
    await ctx.prompts.info(
      unrevocable
        ? UNREVOCABLE_KEY_MESSAGE
        : selected && selected.length > 1
          ? 'Those keys are already revoked.'
          : 'That key is already revoked.',
    );
    return undefined;
  }
  // The keys were listed under this token and organization: the DELETEs go out under them, or not at all.
  const confirmedAuth = ctx.store.currentAuth();
  const single = keys.length === 1 ? keys[0] : undefined;
  const reasonInput = await ctx.prompts.input({
    title: single ? `Revoke “${displayText(single.name, 80)}”` : `Revoke ${keys.length} API keys`,
    prompt: 'Reason for revoking (optional). Press Enter to continue, Escape to cancel.',
    placeHolder: 'e.g. rotated, leaked, no longer used',
    ...(options.reason !== undefined ? { value: options.reason.slice(0, MAX_REASON_LENGTH) } : {}),
    validate: (value) =>
      value.trim().length > MAX_REASON_LENGTH
        ? `Keep the reason under ${MAX_REASON_LENGTH} characters (now ${value.trim().length}).`
        : undefined,
  });
  if (reasonInput === undefined) return undefined;
  const reason = reasonInput.trim() === '' ? undefined : reasonInput.trim();

  const self = ownKeyAmong(ctx, keys);
  if (ctx.confirmRevoke()) {
    const organization = describeOrganization(confirmedAuth?.organizationId, ctx.store.snapshot, ctx.accounts);
    const consequence = self
      ? `Revocation is permanent and immediate: anything using the key stops working at once.\n“${displayText(self.key.name, 80)}” is the key this editor is signed in with: after revoking it, VS Code loses access to ${describeAccount(ctx, self.account)} and signs out of it.`
      : 'Revocation is permanent and immediate: anything using the key stops working at once.';
    const confirmed = single
      ? await ctx.prompts.confirm(
          `Revoke API key “${displayText(single.name, 80)}” (${displayText(single.prefix, 40)})?`,
          `Organization: ${organization}.\n${consequence}`,
          'Revoke Key',
        )
      : await ctx.prompts.confirm(
          `Revoke ${keys.length} API keys?`,
          `Organization: ${organization}.\n${listNames(keys)}\n${consequence}`,
          `Revoke ${keys.length} Keys`,
        );
    if (!confirmed) return undefined;
  }

  const revokeOne = async (key: ApiKey): Promise<KeyResult> => {
    const outcome = await ctx.store.revoke(key, reason, confirmedAuth);
    if (outcome.kind === 'failed') return { key, outcome: 'failed', error: outcome.error };
    if (outcome.kind === 'notSent') return { key, outcome: 'notSent', reason: outcome.reason };
    return { key, outcome: outcome.kind };
  };
  const results = await ctx.prompts.progress(
    single ? `Revoking “${displayText(single.name, 80)}”…` : `Revoking ${keys.length} API keys…`,
    async () => {
      // The token's own key goes last: once it is revoked, the token can send nothing more.
      const others = await mapLimited(
        keys.filter((key) => key !== self?.key),
        CONCURRENCY,
        revokeOne,
      );
      return self ? [...others, await revokeOne(self.key)] : others;
    },
  );
  const selfResult = self && results.find((result) => result.key === self.key);
  if (self && selfResult && (selfResult.outcome === 'revoked' || selfResult.outcome === 'alreadyRevoked')) {
    await report(ctx, results);
    const why = `“${displayText(self.key.name, 80)}” was the key this editor was signed in with, and it is now revoked. `;
    await signOutAccounts(ctx, [self.account.id], why);
    return results;
  }
  void ctx.store.refresh();
  await report(ctx, results);
  return results;
}

/** The key the current token is, when it is among these: revoking it ends this editor's access. */
function ownKeyAmong(ctx: AppContext, keys: readonly ApiKey[]): { key: ApiKey; account: Account } | undefined {
  const account = ctx.accounts.current();
  const token = ctx.accounts.currentToken();
  if (!account || !token || ctx.organizations.current) return undefined;
  const key = keys.find((candidate) => (account.key ? candidate.id === account.key.id : prefixStartsToken(candidate.prefix, token)));
  return key ? { key, account } : undefined;
}

function revocable(ctx: AppContext, keys: readonly ApiKey[]): ApiKey[] {
  const now = Date.now();
  return keys.filter((key) => key.keyId !== undefined && keyState(key, now) !== 'revoked' && !ctx.store.isRevoking(key));
}

async function pickKey(ctx: AppContext): Promise<ApiKey[] | undefined> {
  if (!ctx.store.snapshot.loaded) await ctx.prompts.progress('Loading API keys…', () => ctx.store.refresh());
  const snapshot = ctx.store.snapshot;
  if (!snapshot.loaded) {
    const error = snapshot.error;
    if (!error) await ctx.prompts.error('Sign in first: run “Factify: Set API Token…”.');
    else await notifyError(ctx, error);
    return undefined;
  }
  const candidates = revocable(ctx, snapshot.loaded.keys);
  if (candidates.length === 0) {
    await ctx.prompts.info('There are no keys that can be revoked in this organization.');
    return undefined;
  }
  const now = Date.now();
  const chosen = await ctx.prompts.pick(
    candidates.map((key) => ({
      // Quick picks render `$(icon)` syntax: server text is escaped so it stays text.
      label: escapeThemeIcons(displayText(key.name, 120)) || '(unnamed key)',
      description: escapeThemeIcons(displayText(key.prefix, 40)),
      detail: `${keyState(key, now)} · ${escapeThemeIcons(displayText(key.id, 80))}`,
      value: key,
    })),
    { title: 'Factify: Revoke API Key', placeHolder: 'Which key do you want to revoke? Type to filter by name or prefix.' },
  );
  return chosen ? [chosen] : undefined;
}

const NOT_SENT_NEXT_STEP = 'Nothing was sent for it; check the organization in the status bar and run Revoke again.';

async function report(ctx: AppContext, results: readonly KeyResult[]): Promise<void> {
  const failed = results.filter((result) => result.outcome === 'failed');
  const notSent = results.filter((result) => result.outcome === 'notSent');
  const done = results.filter((result) => result.outcome === 'revoked' || result.outcome === 'alreadyRevoked');
  const first = results[0];
  if (results.length === 1 && first) {
    const name = `“${displayText(first.key.name, 80)}”`;
    if (first.outcome === 'revoked') return void ctx.prompts.info(`Revoked ${name}.`);
    if (first.outcome === 'alreadyRevoked') return void ctx.prompts.info(`${name} was already revoked.`);
    if (first.outcome === 'notSent')
      return void ctx.prompts.warn(
        `${name} was not revoked: ${first.reason ?? 'the organization or token changed'}. ${NOT_SENT_NEXT_STEP}`,
      );
    return reportFailure(ctx, first.error);
  }
  if (failed.length === 0 && notSent.length === 0) {
    const already = results.filter((result) => result.outcome === 'alreadyRevoked').length;
    return void ctx.prompts.info(`Revoked ${results.length} API keys${already ? ` (${already} of them already were)` : ''}.`);
  }
  const parts = [`Revoked ${done.length} of ${results.length} API keys${done.length ? `: ${names(done)}` : ''}.`];
  // Grouped by reason, so the summary says once why a whole batch was not sent.
  const whyNotSent = new Map<string, KeyResult[]>();
  for (const result of notSent) {
    const why = result.reason ?? 'the organization or token changed';
    whyNotSent.set(why, [...(whyNotSent.get(why) ?? []), result]);
  }
  for (const [why, batch] of whyNotSent)
    parts.push(`Not revoked, because ${why}: ${names(batch)}. Nothing was sent for ${batch.length === 1 ? 'it' : 'them'}.`);
  if (failed.length > 0) {
    const reasons = failed.slice(0, 5).map((result) => `“${displayText(result.key.name, 60)}”: ${result.error?.message ?? 'failed'}`);
    const more = failed.length > 5 ? ` …and ${failed.length - 5} more (see the log).` : '';
    parts.push(`Failed: ${reasons.join(' ')}${more}`);
  }
  if (notSent.length > 0) parts.push('Check the organization in the status bar and run Revoke again for the keys not revoked.');
  const message = parts.join(' ');
  const unauthorized = failed.find((result) => result.error?.kind === 'unauthorized')?.error;
  if (unauthorized) return notifyError(ctx, unauthorized, message);
  await notify(ctx, 'warn', message, pointsToLog(message) ? ['showLog'] : []);
}

/** Up to five names, then how many more. */
function names(results: readonly KeyResult[]): string {
  const shown = results
    .slice(0, 5)
    .map((result) => `“${displayText(result.key.name, 60)}”`)
    .join(', ');
  return results.length > 5 ? `${shown} and ${results.length - 5} more` : shown;
}

async function reportFailure(ctx: AppContext, error: FactifyError | undefined): Promise<void> {
  if (error?.kind === 'cancelled')
    return void ctx.prompts.warn('The revoke was cancelled before Factify answered; refresh to see whether the key was revoked.');
  if (error?.kind === 'notFound') return void ctx.prompts.warn(error.message);
  if (!error) return void (await ctx.prompts.error('Revoking failed.'));
  await notifyError(ctx, error, error.message, 'error');
}

function listNames(keys: readonly ApiKey[]): string {
  const shown = keys.slice(0, 10).map((key) => `• ${displayText(key.name, 60)} (${displayText(key.prefix, 40)})`);
  return [...shown, ...(keys.length > 10 ? [`• …and ${keys.length - 10} more`] : [])].join('\n');
}

async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
