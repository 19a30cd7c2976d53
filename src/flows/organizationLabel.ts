import { type KeysSnapshot } from '../core/keysStore';
import { organizationOfList } from '../core/accounts';
import { type OrgId } from '../core/ids';
import { displayText } from '../core/text';
import { t } from '../core/l10n';
import { type Accounts } from './context';

/**
 * The token's own organization id: the current account's, else what a list without override has shown. Only
 * ids that match their pattern count, and only when all of them agree: anything else from the server is never
 * shown.
 */
export function ownOrganizationId(snapshot: KeysSnapshot, accounts?: Pick<Accounts, 'current'>): OrgId | undefined {
  const known = accounts?.current()?.orgId;
  if (known) return known;
  const loaded = snapshot.loaded;
  if (!loaded || loaded.query.organizationId !== undefined) return undefined;
  return organizationOfList(loaded.keys); // every render asks; a list is scanned once
}

/** How the current organization is named in messages and the status bar (its local name when it has one). */
export function describeOrganization(
  override: OrgId | undefined,
  snapshot: KeysSnapshot,
  accounts?: Pick<Accounts, 'current' | 'label'>,
): string {
  const name = (orgId: OrgId) => {
    const label = accounts?.label(orgId) ?? orgId;
    return label === orgId ? orgId : `${label} (${orgId})`;
  };
  if (override) return t('{0} (acting as another organization)', name(override));
  const own = ownOrganizationId(snapshot, accounts);
  return own ? t("{0} (the token's own organization)", name(own)) : t("the token's own organization");
}

/** The organization the view acts on, as the status bar and the view description show it (plain text). */
export function shownOrganization(
  override: OrgId | undefined,
  snapshot: KeysSnapshot,
  accounts: Pick<Accounts, 'current' | 'label'>,
): string | undefined {
  const orgId = override ?? ownOrganizationId(snapshot, accounts);
  return orgId ? displayText(accounts.label(orgId), 80) : undefined;
}
