/** Revoke API Key…: reason, confirmation, DELETE, and a per-key summary. */
import { keyState, unrevocableKeyMessage, type ApiKey } from '../core/apiKey';
import { FactifyError } from '../core/errors';
import { t } from '../core/l10n';
import { STATE_LABELS } from '../core/keyTree';
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
      t(
        '“{0}” is not a key of the organization Factify works with now, so it was not revoked. Use Switch Organization… to go to its organization, then revoke it.',
        displayText(key.name, 80),
      ),
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
        ? unrevocableKeyMessage()
        : selected && selected.length > 1
          ? t('Those keys are already revoked.')
          : t('That key is already revoked.'),
    );
    return undefined;
  }
  // The keys were listed under this token and organization: the DELETEs go out under them, or not at all.
  const confirmedAuth = ctx.store.currentAuth();
  const single = keys.length === 1 ? keys[0] : undefined;
  const reasonInput = await ctx.prompts.input({
    title: single ? t('Revoke “{0}”', displayText(single.name, 80)) : t('Revoke {0} API keys', keys.length),
    prompt: t('Reason for revoking (optional). Press Enter to continue, Escape to cancel.'),
    placeHolder: t('e.g. rotated, leaked, no longer used'),
    ...(options.reason !== undefined ? { value: options.reason.slice(0, MAX_REASON_LENGTH) } : {}),
    validate: (value) =>
      value.trim().length > MAX_REASON_LENGTH
        ? t('Keep the reason under {0} characters (now {1}).', MAX_REASON_LENGTH, value.trim().length)
        : undefined,
  });
  if (reasonInput === undefined) return undefined;
  const reason = reasonInput.trim() === '' ? undefined : reasonInput.trim();

  const self = ownKeyAmong(ctx, keys);
  if (ctx.confirmRevoke()) {
    const organization = describeOrganization(confirmedAuth?.organizationId, ctx.store.snapshot, ctx.accounts);
    const consequence = [
      t('Revocation is permanent and immediate: anything using the key stops working at once.'),
      ...(self
        ? [
            t(
              '“{0}” is the key this editor is signed in with: after revoking it, VS Code loses access to {1} and signs out of it.',
              displayText(self.key.name, 80),
              describeAccount(ctx, self.account),
            ),
          ]
        : []),
    ].join('\n');
    const confirmed = single
      ? await ctx.prompts.confirm(
          t('Revoke API key “{0}” ({1})?', displayText(single.name, 80), displayText(single.prefix, 40)),
          `${t('Organization: {0}.', organization)}\n${consequence}`,
          t('Revoke Key'),
        )
      : await ctx.prompts.confirm(
          t('Revoke {0} API keys?', keys.length),
          `${t('Organization: {0}.', organization)}\n${listNames(keys)}\n${consequence}`,
          t('Revoke {0} Keys', keys.length),
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
    single ? t('Revoking “{0}”…', displayText(single.name, 80)) : t('Revoking {0} API keys…', keys.length),
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
    const why = t('“{0}” was the key this editor was signed in with, and it is now revoked.', displayText(self.key.name, 80));
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
  if (!ctx.store.snapshot.loaded) await ctx.prompts.progress(t('Loading API keys…'), () => ctx.store.refresh());
  const snapshot = ctx.store.snapshot;
  if (!snapshot.loaded) {
    const error = snapshot.error;
    if (!error) await ctx.prompts.error(t('Sign in first: run “Factify: Set API Token…”.'));
    else await notifyError(ctx, error);
    return undefined;
  }
  const candidates = revocable(ctx, snapshot.loaded.keys);
  if (candidates.length === 0) {
    await ctx.prompts.info(t('There are no keys that can be revoked in this organization.'));
    return undefined;
  }
  const now = Date.now();
  const chosen = await ctx.prompts.pick(
    candidates.map((key) => ({
      // Quick picks render `$(icon)` syntax: server text is escaped so it stays text.
      label: escapeThemeIcons(displayText(key.name, 120)) || t('(unnamed key)'),
      description: escapeThemeIcons(displayText(key.prefix, 40)),
      detail: `${STATE_LABELS[keyState(key, now)].toLowerCase()} · ${escapeThemeIcons(displayText(key.id, 80))}`,
      value: key,
    })),
    { title: t('Factify: Revoke API Key'), placeHolder: t('Which key do you want to revoke? Type to filter by name or prefix.') },
  );
  return chosen ? [chosen] : undefined;
}

async function report(ctx: AppContext, results: readonly KeyResult[]): Promise<void> {
  const failed = results.filter((result) => result.outcome === 'failed');
  const notSent = results.filter((result) => result.outcome === 'notSent');
  const done = results.filter((result) => result.outcome === 'revoked' || result.outcome === 'alreadyRevoked');
  const first = results[0];
  if (results.length === 1 && first) {
    const name = displayText(first.key.name, 80);
    if (first.outcome === 'revoked') return void ctx.prompts.info(t('Revoked “{0}”.', name));
    if (first.outcome === 'alreadyRevoked') return void ctx.prompts.info(t('“{0}” was already revoked.', name));
    if (first.outcome === 'notSent')
      return void ctx.prompts.warn(
        t(
          '“{0}” was not revoked: {1}. Nothing was sent for it; check the organization in the status bar and run Revoke again.',
          name,
          first.reason ?? t('the organization or token changed'),
        ),
      );
    return reportFailure(ctx, first.error);
  }
  if (failed.length === 0 && notSent.length === 0) {
    const already = results.filter((result) => result.outcome === 'alreadyRevoked').length;
    return void ctx.prompts.info(
      already ? t('Revoked {0} API keys ({1} of them already were).', results.length, already) : t('Revoked {0} API keys.', results.length),
    );
  }
  const parts = [
    done.length
      ? t('Revoked {0} of {1} API keys: {2}.', done.length, results.length, names(done))
      : t('Revoked {0} of {1} API keys.', done.length, results.length),
  ];
  // Grouped by reason, so the summary says once why a whole batch was not sent.
  const whyNotSent = new Map<string, KeyResult[]>();
  for (const result of notSent) {
    const why = result.reason ?? t('the organization or token changed');
    whyNotSent.set(why, [...(whyNotSent.get(why) ?? []), result]);
  }
  for (const [why, batch] of whyNotSent)
    parts.push(
      batch.length === 1
        ? t('Not revoked, because {0}: {1}. Nothing was sent for it.', why, names(batch))
        : t('Not revoked, because {0}: {1}. Nothing was sent for them.', why, names(batch)),
    );
  if (failed.length > 0) {
    const reasons = failed
      .slice(0, 5)
      .map((result) => t('“{0}”: {1}', displayText(result.key.name, 60), result.error?.message ?? t('failed')))
      .join(' ');
    parts.push(failed.length > 5 ? t('Failed: {0} …and {1} more (see the log).', reasons, failed.length - 5) : t('Failed: {0}', reasons));
  }
  if (notSent.length > 0) parts.push(t('Check the organization in the status bar and run Revoke again for the keys not revoked.'));
  const message = parts.join(' ');
  const unauthorized = failed.find((result) => result.error?.kind === 'unauthorized')?.error;
  if (unauthorized) return notifyError(ctx, unauthorized, message);
  await notify(ctx, 'warn', message, pointsToLog(message) ? ['showLog'] : []);
}

/** Up to five names, then how many more. */
function names(results: readonly KeyResult[]): string {
  const shown = results
    .slice(0, 5)
    .map((result) => t('“{0}”', displayText(result.key.name, 60)))
    .join(', ');
  return results.length > 5 ? t('{0} and {1} more', shown, results.length - 5) : shown;
}

async function reportFailure(ctx: AppContext, error: FactifyError | undefined): Promise<void> {
  if (error?.kind === 'cancelled')
    return void ctx.prompts.warn(t('The revoke was cancelled before Factify answered; refresh to see whether the key was revoked.'));
  if (error?.kind === 'notFound') return void ctx.prompts.warn(error.message);
  if (!error) return void (await ctx.prompts.error(t('Revoking failed.')));
  await notifyError(ctx, error, error.message, 'error');
}

function listNames(keys: readonly ApiKey[]): string {
  const shown = keys.slice(0, 10).map((key) => `• ${displayText(key.name, 60)} (${displayText(key.prefix, 40)})`);
  return [...shown, ...(keys.length > 10 ? [t('• …and {0} more', keys.length - 10)] : [])].join('\n');
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
