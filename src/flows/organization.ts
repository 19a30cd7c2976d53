/**
 * Selecting which organization requests act on: the override, or undefined for the token's own. Shared by
 * Switch Organization… and the Switch Back remedy, which is why it sits apart from both.
 */
import { type OrgId } from '../core/ids';
import { type AppContext } from './context';

/** Selects the organization, drops the old list and everything in flight, and loads the new one. */
export async function selectOrganization(ctx: AppContext, organizationId: OrgId | undefined): Promise<void> {
  await ctx.organizations.select(organizationId);
  ctx.log.info(organizationId ? `Acting as organization ${organizationId}.` : "Using the token's own organization.");
  ctx.store.reset();
  await ctx.store.refresh();
}
