import type * as vscode from 'vscode';
import { asOrgId, type OrgId } from './core/ids';
import { type Organizations } from './flows/context';

const CURRENT_KEY = 'factify.organizationOverride';
const RECENT_KEY = 'factify.recentOrganizations';
const MAX_RECENT = 5;

/** The organization override and recently used ones, in global state (they are not secrets). */
export class MementoOrganizations implements Organizations {
  constructor(
    private readonly memento: vscode.Memento,
    private readonly onChange: () => void,
  ) {}

  get current(): OrgId | undefined {
    return asOrgId(this.memento.get(CURRENT_KEY));
  }

  get recent(): OrgId[] {
    const stored = this.memento.get<unknown[]>(RECENT_KEY, []);
    return (Array.isArray(stored) ? stored : []).map(asOrgId).filter((id): id is OrgId => id !== undefined);
  }

  async select(organizationId: OrgId | undefined): Promise<void> {
    await this.memento.update(CURRENT_KEY, organizationId);
    if (organizationId) {
      await this.memento.update(RECENT_KEY, [organizationId, ...this.recent.filter((id) => id !== organizationId)].slice(0, MAX_RECENT));
    }
    this.onChange();
  }
}
