import { type KeysSnapshot } from '../core/keysStore';
import { type OrgId } from '../core/ids';

/** The token's own organization id, once a list without override has shown it. */
export function ownOrganizationId(snapshot: KeysSnapshot): string | undefined {
  const loaded = snapshot.loaded;
  if (!loaded || loaded.query.organizationId !== undefined) return undefined;
  return loaded.keys.find((key) => key.orgId !== undefined)?.orgId;
}

/** How the current organization is named in messages and the status bar. */
export function describeOrganization(override: OrgId | undefined, snapshot: KeysSnapshot): string {
  if (override) return `${override} (acting as another organization)`;
  const own = ownOrganizationId(snapshot);
  return own ? `${own} (the token's own organization)` : "the token's own organization";
}
