import { type ApiKey } from '../core/apiKey';
import { type KeysSnapshot } from '../core/keysStore';
import { asOrgId, type OrgId } from '../core/ids';

/**
 * The token's own organization id, once a list without override has shown it. Only ids that match their
 * pattern count, and only when all of them agree: anything else from the server is never shown.
 */
export function ownOrganizationId(snapshot: KeysSnapshot): OrgId | undefined {
  const loaded = snapshot.loaded;
  if (!loaded || loaded.query.organizationId !== undefined) return undefined;
  // Every render asks; a long list is scanned once.
  if (!OWN_BY_LIST.has(loaded.keys)) OWN_BY_LIST.set(loaded.keys, agreedOrganizationId(loaded.keys));
  return OWN_BY_LIST.get(loaded.keys);
}

const OWN_BY_LIST = new WeakMap<readonly ApiKey[], OrgId | undefined>();

function agreedOrganizationId(keys: readonly ApiKey[]): OrgId | undefined {
  let own: OrgId | undefined;
  for (const key of keys) {
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
