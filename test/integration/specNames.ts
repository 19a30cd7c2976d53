/** Every command id and its exact title, as the product contract names them. Shared by the manifest test and the in-host suites. */
export const SPEC_COMMANDS: ReadonlyArray<readonly [id: string, title: string]> = [
  ['factify.signIn', 'Set API Token…'],
  ['factify.signOut', 'Sign Out'],
  ['factify.refresh', 'Refresh'],
  ['factify.revokeKey', 'Revoke API Key…'],
  ['factify.switchOrganization', 'Switch Organization…'],
  ['factify.renameOrganization', 'Rename Organization…'],
  ['factify.showRevokedKeys', 'Show Revoked Keys'],
  ['factify.hideRevokedKeys', 'Hide Revoked Keys'],
  ['factify.copyKeyId', 'Copy Key ID'],
  ['factify.copyKeyPrefix', 'Copy Key Prefix'],
  ['factify.filterKeys', 'Filter Keys…'],
  ['factify.clearFilter', 'Clear Filter'],
  ['factify.showLog', 'Show Log'],
];
