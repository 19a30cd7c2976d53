/** Set API Token…, Sign Out and Rename Organization…: the accounts, one token per organization. */
import { explainInvalidLabel, findTokenKey, organizationOfList, type Account, type TokenKey } from '../core/accounts';
import { FactifyError, describeForLog, toFactifyError } from '../core/errors';
import { checkToken, type OrgId } from '../core/ids';
import { t } from '../core/l10n';
import { displayText, escapeThemeIcons } from '../core/text';
import { type AppContext } from './context';

export const ALL_ACCOUNTS = 'All accounts';

export type SignInResult = 'cancelled' | 'rejected' | 'stored' | 'storedUnverified' | 'storeFailed';

export async function signIn(ctx: AppContext): Promise<SignInResult> {
  const input = await ctx.prompts.input({
    title: t('Factify: Set API Token'),
    prompt: t('Paste a Factify API token (ffy_…). It is checked with Factify, then kept in VS Code’s secret storage only.'),
    placeHolder: 'ffy_prod_…',
    password: true,
    validate: (value) => {
      const check = checkToken(value);
      return check.ok ? undefined : check.reason;
    },
  });
  if (input === undefined) return 'cancelled';
  const check = checkToken(input);
  if (!check.ok) {
    await ctx.prompts.error(check.reason);
    return 'rejected';
  }

  let verificationProblem: FactifyError | undefined;
  let learned: { orgId: OrgId | undefined; key: TokenKey | undefined } = { orgId: undefined, key: undefined };
  try {
    const list = await ctx.prompts.progress(t('Checking the token with Factify…'), () =>
      ctx.client().listKeys({ token: check.token, organizationId: undefined }, { includeRevoked: false }),
    );
    learned = { orgId: organizationOfList(list.keys), key: findTokenKey(list.keys, check.token) };
  } catch (thrown) {
    const error = toFactifyError(thrown);
    ctx.log.warn(`Token check failed: ${describeForLog(error)}`);
    if (error.kind === 'unauthorized') {
      await ctx.prompts.error(
        t(
          'Factify did not accept this token (401), so it was not saved. Check that you copied the whole token and that it has not been revoked.',
        ),
      );
      return 'rejected';
    }
    verificationProblem = error;
  }

  let added: { account: Account; replaced: boolean };
  const overrideCleared = ctx.organizations.current !== undefined;
  const sameToken = ctx.accounts.currentToken() === check.token;
  try {
    // A new token starts on its own organization: an override chosen under another token is never carried over.
    if (overrideCleared) await ctx.organizations.select(undefined);
    added = await ctx.accounts.add(check.token, learned);
  } catch (thrown) {
    ctx.log.error(`Storing the token in SecretStorage failed: ${describeForLog(toFactifyError(thrown))}`);
    await ctx.prompts.error(
      t(
        'VS Code could not save the token in the system keychain, so it was not saved (Factify never keeps it in plain text). Check that your OS keyring is unlocked, then try again.',
      ),
    );
    return 'storeFailed';
  }
  // A changed token resets the list by itself; the same token does not, and the list shown is the override's.
  if (overrideCleared && sameToken) {
    ctx.store.reset();
    void ctx.store.refresh();
  }
  const name = describeAccount(ctx, added.account);
  ctx.log.info(
    `${verificationProblem ? 'Token stored without verification' : 'Token verified and stored'} (${added.replaced ? 'replacing the token of' : 'new account for'} ${name}).`,
  );
  if (verificationProblem) {
    void ctx.prompts.warn(
      t(
        'The token was saved, but Factify could not be asked whether it is valid: {0} Its organization is shown once the key list loads.',
        verificationProblem.message,
      ),
    );
    return 'storedUnverified';
  }
  void ctx.prompts.info(
    added.replaced
      ? t('Factify API token of {0} replaced. Its keys are loading.', name)
      : t('Factify API token saved for {0}. Its keys are loading.', name),
  );
  return 'stored';
}

/** How an account is named in messages: its organization's label and the token's environment. */
export function describeAccount(ctx: AppContext, account: Account): string {
  return `${displayText(ctx.accounts.label(account.orgId), 80)} (${account.env})`;
}

/** What a pick shows about an account's token: its environment and the key it is. */
export function describeAccountKey(account: Account): string {
  // Both are server text: `$(name)` in them must show as typed, never draw an icon in the pick.
  const key = account.key
    ? t('key “{0}” ({1})', escapeThemeIcons(displayText(account.key.name, 60)), escapeThemeIcons(displayText(account.key.prefix, 40)))
    : t('key not known yet');
  return `${account.env} · ${key}`;
}

/** Sign Out: of the current account; with several, asks which one, or all. */
export async function signOut(ctx: AppContext): Promise<void> {
  await ctx.accounts.load();
  const accounts = ctx.accounts.list();
  if (accounts.length === 0) {
    void ctx.prompts.info(t('You are not signed in to Factify.'));
    return;
  }
  let chosen: readonly string[];
  if (accounts.length === 1) {
    chosen = [accounts[0]?.id as string];
  } else {
    const currentId = ctx.accounts.current()?.id;
    const ordered = [...accounts].sort((a, b) => Number(b.id === currentId) - Number(a.id === currentId));
    const choice = await ctx.prompts.pick<readonly string[]>(
      [
        ...ordered.map((account) => ({
          label: `$(account) ${displayText(ctx.accounts.label(account.orgId), 80)}`,
          description: account.id === currentId ? t('{0} (current)', describeAccountKey(account)) : describeAccountKey(account),
          value: [account.id],
        })),
        {
          label: `$(sign-out) ${t('All accounts')}`,
          description: t('{0} accounts', accounts.length),
          value: accounts.map((account) => account.id),
        },
      ],
      { title: t('Factify: Sign Out'), placeHolder: t('Sign out of which account? Its token is removed from VS Code’s secret storage.') },
    );
    if (choice === undefined) return;
    chosen = choice;
  }
  await signOutAccounts(ctx, chosen);
}

/** Signs out of these accounts (from Sign Out, the Accounts menu, or after revoking the token's own key). */
export async function signOutAccounts(ctx: AppContext, accountIds: readonly string[], why?: string): Promise<boolean> {
  await ctx.accounts.load();
  const accounts = ctx.accounts.list().filter((account) => accountIds.includes(account.id));
  if (accounts.length === 0) return false;
  const names = accounts.map((account) => describeAccount(ctx, account));
  try {
    // The override belongs to the current account; the next token must not silently act as another organization.
    if (accounts.some((account) => account.id === ctx.accounts.current()?.id) && ctx.organizations.current)
      await ctx.organizations.select(undefined);
    await ctx.accounts.remove(accounts.map((account) => account.id));
  } catch (thrown) {
    ctx.log.error(`Deleting the token from SecretStorage failed: ${describeForLog(toFactifyError(thrown))}`);
    await ctx.prompts.error(
      t('VS Code could not remove the token from the system keychain. Check that your OS keyring is unlocked, then try again.'),
    );
    return false;
  }
  if (!ctx.accounts.currentToken()) ctx.store.reset(why ? `${why} ${t('Signed out of {0}.', names.join(', '))}` : undefined);
  ctx.log.info(`Signed out of ${names.join(', ')}; token${accounts.length === 1 ? '' : 's'} deleted from SecretStorage.`);
  const next = ctx.accounts.current();
  const signedOut =
    accounts.length === 1
      ? t('Signed out of Factify ({0}). The token was removed from VS Code’s secret storage.', names.join(', '))
      : t('Signed out of Factify ({0}). The tokens were removed from VS Code’s secret storage.', names.join(', '));
  const after = next ? t('Now showing {0}.', describeAccount(ctx, next)) : undefined;
  void ctx.prompts.info([why, signedOut, after].filter((part) => part !== undefined).join(' '));
  return true;
}

/** Rename Organization…: a local name for an org id, shown wherever the organization is. */
export async function renameOrganization(ctx: AppContext, orgId?: OrgId): Promise<void> {
  await ctx.accounts.load();
  let target = orgId;
  if (!target) {
    const known = [...ctx.accounts.list().map((account) => account.orgId), ctx.organizations.current].filter(
      (id, index, all): id is OrgId => id !== undefined && all.indexOf(id) === index,
    );
    if (known.length === 0) {
      void ctx.prompts.info(t('No organization is known yet: sign in, and rename it once its keys have loaded.'));
      return;
    }
    const currentOrg = ctx.organizations.current ?? ctx.accounts.current()?.orgId;
    target =
      known.length === 1
        ? known[0]
        : await ctx.prompts.pick(
            known.map((id) => ({
              label: `$(organization) ${displayText(ctx.accounts.label(id), 80)}`,
              description: id === currentOrg ? t('{0} (current)', id) : id,
              value: id,
            })),
            { title: t('Factify: Rename Organization'), placeHolder: t('Which organization do you want to name?') },
          );
    if (!target) return;
  }
  const before = ctx.accounts.state.labels[target];
  const typed = await ctx.prompts.input({
    title: t('Factify: Rename Organization'),
    prompt: t('A name for {0}, kept in this editor only (Factify organizations have no names). Leave empty to show the ID again.', target),
    placeHolder: t('e.g. Acme production'),
    value: before ?? '',
    validate: explainInvalidLabel,
  });
  if (typed === undefined) return;
  const problem = explainInvalidLabel(typed);
  if (problem) {
    await ctx.prompts.error(problem);
    return;
  }
  await ctx.accounts.rename(target, typed);
  const label = ctx.accounts.label(target);
  ctx.log.info(typed.trim() ? `Named organization ${target} locally.` : `Removed the local name of ${target}.`);
  void ctx.prompts.info(
    typed.trim() ? t('{0} is now shown as “{1}”.', target, displayText(label, 80)) : t('{0} is shown by its ID again.', target),
  );
}
