import { type KeysSnapshot } from '../core/keysStore';
import { asOrgId, type OrgId } from '../core/ids';

/**
 * The token's own organization id, once a list without override has shown it. Only ids that match their
 * pattern count, and only when all of them agree: anything else from the server is never shown.
 */
export function ownOrganizationId(snapshot: KeysSnapshot): OrgId | undefined {
  const loaded = snapshot.loaded;
  if (!loaded || loaded.query.organizationId !== undefined) return undefined;
  let own: OrgId | undefined;
  for (const key of loaded.keys) {
    const orgId = asOrgId(key.orgId);
    if (!orgId) continue;
    if (own !== undefined && own !== orgId) return undefined;
    own = orgId;
  }
  return own;
}

/** How the current organization is named in messages and the status bar. */
export function describeOrganization(override: OrgId | undefined, snapshot: KeysSnapshot): string {
  if (override) return `${override} (acting as another organization)`;
  const own = ownOrganizationId(snapshot);
  return own ? `${own} (the token's own organization)` : "the token's own organization";
}
