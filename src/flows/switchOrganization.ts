/** Switch Organization… (SPEC section 3). */
import { explainInvalidOrgId, asOrgId, type OrgId } from '../core/ids';
import { type AppContext } from './context';
import { ownOrganizationId } from './organizationLabel';

export const SWITCH_BACK_ACTION = 'Switch Back';

type Choice = { kind: 'own' } | { kind: 'org'; organizationId: OrgId } | { kind: 'enter' };

export async function switchOrganization(ctx: AppContext): Promise<void> {
  const current = ctx.organizations.current;
  const own = ownOrganizationId(ctx.store.snapshot);
  const choice = await ctx.prompts.pick<Choice>([
    {
      label: "$(home) Token's own organization",
      description: [own, current === undefined ? '(current)' : undefined].filter(Boolean).join(' '),
      detail: 'No override: requests act on the organization the token belongs to.',
      value: { kind: 'own' },
    },
    ...ctx.organizations.recent.map((organizationId) => ({
      label: `$(organization) ${organizationId}`,
      description: organizationId === current ? '(current)' : 'recently used',
      value: { kind: 'org', organizationId } as const,
    })),
    { label: '$(edit) Enter organization ID…', detail: 'Act as another organization (Factify staff only).', value: { kind: 'enter' } },
  ], { title: 'Factify: Switch Organization', placeHolder: 'Which organization should the key list act on?' });
  if (choice === undefined) return;

  let target: OrgId | undefined;
  if (choice.kind === 'enter') {
    const typed = await ctx.prompts.input({
      title: 'Factify: Switch Organization',
      prompt: 'Organization ID to act as (sent as X-Factify-Organization-Id; Factify staff only).',
      placeHolder: 'org_01kdx2z2…',
      value: current ?? '',
      validate: explainInvalidOrgId,
    });
    if (typed === undefined) return;
    target = asOrgId(typed.trim());
    if (!target) {
      await ctx.prompts.error(explainInvalidOrgId(typed) ?? 'That is not a valid organization ID.');
      return;
    }
  } else {
    target = choice.kind === 'org' ? choice.organizationId : undefined;
  }
  await applyOrganization(ctx, target);
}

/** Selects the organization, drops the old list and everything in flight, and loads the new one. */
export async function applyOrganization(ctx: AppContext, organizationId: OrgId | undefined): Promise<void> {
  await ctx.organizations.select(organizationId);
  ctx.log.info(organizationId ? `Acting as organization ${organizationId}.` : "Using the token's own organization.");
  ctx.store.reset();
  await ctx.store.refresh();
  const error = ctx.store.snapshot.error;
  if (organizationId && error?.kind === 'forbidden') await offerSwitchBack(ctx, error.message);
}

/** A 403 under an override: only staff may use it; offer the way back. */
export async function offerSwitchBack(ctx: AppContext, message: string): Promise<void> {
  if ((await ctx.prompts.warn(message, SWITCH_BACK_ACTION)) === SWITCH_BACK_ACTION) await applyOrganization(ctx, undefined);
}
