/** Switch Organization…: the accounts first, then (Factify staff) the organization override. */
import { explainInvalidOrgId, asOrgId, type OrgId } from '../core/ids';
import { displayText } from '../core/text';
import { t } from '../core/l10n';
import { describeAccountKey, renameOrganization } from './account';
import { type AppContext, type PickItem } from './context';
import { selectOrganization } from './organization';
import { notifyError } from './recovery';

type Choice =
  | { kind: 'account'; accountId: string }
  | { kind: 'org'; organizationId: OrgId }
  | { kind: 'enter' }
  | { kind: 'rename' }
  | { kind: 'separator' };

export async function switchOrganization(ctx: AppContext): Promise<void> {
  await ctx.accounts.load();
  const override = ctx.organizations.current;
  const current = ctx.accounts.current();
  const accountItems: Array<PickItem<Choice>> = ctx.accounts.list().map((account) => {
    const isCurrent = account.id === current?.id;
    // The org id, when the label does not already show it.
    const named = account.orgId && ctx.accounts.label(account.orgId) !== account.orgId ? account.orgId : undefined;
    const key = describeAccountKey(account);
    const acting = override && displayText(ctx.accounts.label(override), 80);
    return {
      label: `$(account) ${displayText(ctx.accounts.label(account.orgId), 80)}`,
      description: !isCurrent ? key : override ? t('{0} (current token)', key) : t('{0} (current)', key),
      detail: !isCurrent
        ? named
          ? t("Switch to this account's token: {0}.", named)
          : t("Switch to this account's token.")
        : acting
          ? named
            ? t("Token's own organization {0}: stop acting as {1}.", named, acting)
            : t("Token's own organization: stop acting as {0}.", acting)
          : named
            ? t("Token's own organization {0}: load its keys again.", named)
            : t("Token's own organization: load its keys again."),
      value: { kind: 'account', accountId: account.id },
    };
  });
  const staffItems: Array<PickItem<Choice>> = [
    { separator: true, label: t('Factify staff: act as another organization'), value: { kind: 'separator' } },
    ...ctx.organizations.recent.map((organizationId) => ({
      label: `$(organization) ${displayText(ctx.accounts.label(organizationId), 80)}`,
      description: organizationId === override ? t('{0} (current)', organizationId) : t('{0} · recently used', organizationId),
      value: { kind: 'org', organizationId } as const,
    })),
    {
      label: `$(edit) ${t('Enter organization ID…')}`,
      detail: t('Act as another organization (Factify staff only).'),
      value: { kind: 'enter' },
    },
  ];
  const choice = await ctx.prompts.pick<Choice>(
    [
      ...accountItems,
      ...staffItems,
      { separator: true, label: '', value: { kind: 'separator' } },
      {
        label: `$(edit) ${t('Rename Organization…')}`,
        detail: t('Give an organization a name shown in this editor only.'),
        value: { kind: 'rename' },
      },
    ],
    { title: t('Factify: Switch Organization'), placeHolder: t('Which organization should the key list act on?') },
  );
  if (choice === undefined || choice.kind === 'separator') return;
  if (choice.kind === 'rename') return renameOrganization(ctx);
  if (choice.kind === 'account') return applyAccount(ctx, choice.accountId);

  let target: OrgId | undefined;
  if (choice.kind === 'enter') {
    const typed = await ctx.prompts.input({
      title: t('Factify: Switch Organization'),
      prompt: t('Organization ID to act as (sent as X-Factify-Organization-Id; Factify staff only).'),
      placeHolder: 'org_01kdx2z2…',
      value: override ?? '',
      validate: explainInvalidOrgId,
    });
    if (typed === undefined) return;
    target = asOrgId(typed.trim());
    if (!target) {
      await ctx.prompts.error(explainInvalidOrgId(typed) ?? t('That is not a valid organization ID.'));
      return;
    }
  } else {
    target = choice.organizationId;
  }
  await applyOrganization(ctx, target);
}

/** Makes an account current, on its own organization: its token replaces the old one, whose list and requests are dropped. */
async function applyAccount(ctx: AppContext, accountId: string): Promise<void> {
  if (ctx.accounts.current()?.id === accountId) return applyOrganization(ctx, undefined);
  // Clear the override first: the list for the new token must never go out with it.
  if (ctx.organizations.current) await ctx.organizations.select(undefined);
  await ctx.accounts.switchTo(accountId);
  const account = ctx.accounts.current();
  ctx.log.info(`Switched to the account of ${account?.orgId ?? 'an organization not known yet'}.`);
  // Switching the token reset the store and started the new list: wait for it.
  await ctx.store.refresh();
}

/** Selects the organization and loads its list; a refusal of the override is explained, with the way back. */
export async function applyOrganization(ctx: AppContext, organizationId: OrgId | undefined): Promise<void> {
  await selectOrganization(ctx, organizationId);
  const error = ctx.store.snapshot.error;
  // A 403 under an override: only staff may use it; the notification offers the way back.
  if (organizationId && error?.kind === 'forbidden') await notifyError(ctx, error);
}
