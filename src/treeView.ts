import * as vscode from 'vscode';
import { type ApiKey, type KeyState } from './core/apiKey';
import {
  filterGroups,
  groupByState,
  keyRow,
  keyTooltipMarkdown,
  ownTreeItemId,
  PAGE_SIZE,
  STATE_LABELS,
  type KeyGroup,
  type KeyIcon,
  type KeyRow,
} from './core/keyTree';
import { expiryBadge } from './core/expiry';
import { type KeysSnapshot } from './core/keysStore';
import { type Redactor } from './core/redact';
import { displayText } from './core/text';
import { type AppContext } from './flows/context';
import { shownOrganization } from './flows/organizationLabel';
import { settings } from './settings';

export const VIEW_ID = 'factify.apiKeys';

/** How long a grouping by state stays right: a key can expire while the list is shown. */
const REGROUP_AFTER_MS = 60_000;

/** What the welcome content keys off (`factify.state`). */
export type ViewState = 'signedOut' | 'loading' | 'error' | 'empty' | 'filteredEmpty' | 'ready';

export class GroupNode {
  constructor(
    readonly group: KeyGroup,
    readonly filtered: boolean,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(STATE_LABELS[this.group.state], vscode.TreeItemCollapsibleState.Expanded);
    item.id = ownTreeItemId('group', this.group.state);
    item.description = this.filtered ? `${this.group.keys.length} of ${this.group.total}` : String(this.group.total);
    item.contextValue = `keyGroup.${this.group.state}`;
    item.iconPath = GROUP_ICONS[this.group.state];
    return item;
  }
}

export class KeyNode {
  constructor(
    readonly key: ApiKey,
    readonly parent: GroupNode,
    private readonly row: KeyRow,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const row = this.row;
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.key.id;
    item.description = row.description;
    item.contextValue = row.contextValue;
    item.iconPath = KEY_ICONS[row.icon];
    item.accessibilityInformation = { label: row.accessibilityLabel };
    return item;
  }
}

export class MoreNode {
  constructor(
    readonly state: KeyState,
    readonly remaining: number,
    readonly parent: GroupNode,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(`Show ${Math.min(PAGE_SIZE, this.remaining)} more…`, vscode.TreeItemCollapsibleState.None);
    item.id = ownTreeItemId('more', this.state);
    item.description = `${this.remaining} not shown`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.command = { command: 'factify.showMoreKeys', title: 'Show More Keys', arguments: [this.state] };
    return item;
  }
}

/**
 * A way out of an error, as a row under the view's message: VS Code hides welcome content while a view has a
 * message, and the message is what says what went wrong.
 */
export class ActionNode {
  readonly parent = undefined;

  constructor(
    readonly label: string,
    readonly icon: string,
    readonly command: vscode.Command,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = ownTreeItemId('action', this.command.command);
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.command = this.command;
    item.contextValue = 'factifyAction';
    return item;
  }
}

export type Node = GroupNode | KeyNode | MoreNode | ActionNode;

const GROUP_ICONS: Readonly<Record<KeyState, vscode.ThemeIcon>> = {
  active: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  expired: new vscode.ThemeIcon('history', new vscode.ThemeColor('list.warningForeground')),
  inactive: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  revoked: new vscode.ThemeIcon('close', new vscode.ThemeColor('list.errorForeground')),
};

const KEY_ICONS: Readonly<Record<KeyIcon, vscode.ThemeIcon>> = {
  active: new vscode.ThemeIcon('key', new vscode.ThemeColor('testing.iconPassed')),
  expiringSoon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  expired: new vscode.ThemeIcon('history', new vscode.ThemeColor('list.warningForeground')),
  inactive: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  revoked: new vscode.ThemeIcon('close', new vscode.ThemeColor('list.errorForeground')),
  unrevocable: new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground')),
};

/**
 * The `factify.apiKeys` tree: groups, rows, paging, filter, the view's message and description, the
 * context keys the menus and welcome content use, progress while loading, and auto-refresh.
 */
export class KeysView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];
  private filterText: string | undefined;
  private readonly pageLimits = new Map<KeyState, number>();
  private sorted: { keys: readonly ApiKey[]; includeRevoked: boolean; at: number; groups: KeyGroup[] } | undefined;
  private filtered: { filter: string | undefined; nodes: GroupNode[] } | undefined;
  private started: Promise<void> | undefined;
  private progressDone: (() => void) | undefined;
  private autoRefresh: { timer: NodeJS.Timeout; seconds: number } | undefined;
  /** What the rows were last built from: a render that changes none of it leaves the tree alone. */
  private treeInputs: readonly unknown[] | undefined;
  /** Where each key was found in the workspace (`file:line`), to mark its row. */
  private foundIn: (keyId: string) => readonly string[] = () => [];

  /** `start` reads the accounts and loads the list once: the view calls it when it first shows. Everything the view shows passes the log's redactor (`getTreeItem`, `resolveTreeItem`, `render`). */
  constructor(
    private readonly ctx: AppContext,
    private readonly start: () => Promise<void>,
    private readonly redactor: Redactor,
  ) {
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, canSelectMany: true, showCollapseAll: false });
    this.disposables.push(
      this.treeView,
      this.changed,
      ctx.store.onDidChange(() => this.render()),
      ctx.accounts.onDidChange(() => this.render()),
      this.treeView.onDidChangeVisibility(() => this.scheduleAutoRefresh()),
    );
    this.render();
  }

  get filter(): string | undefined {
    return this.filterText;
  }

  setFilter(text: string | undefined): void {
    this.filterText = text?.trim() || undefined;
    this.pageLimits.clear();
    // Also how settings that change the rows (the expiry warning, say) redraw them: always rebuild.
    this.treeInputs = undefined;
    this.render();
  }

  showMore(state: KeyState): void {
    this.pageLimits.set(state, (this.pageLimits.get(state) ?? PAGE_SIZE) + PAGE_SIZE);
    const group = this.groups().find((node) => node.group.state === state);
    this.changed.fire(group);
  }

  /** The keys the tree currently holds, for commands that need them. */
  selection(): ApiKey[] {
    return this.treeView.selection.filter((node): node is KeyNode => node instanceof KeyNode).map((node) => node.key);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const item = node.toTreeItem();
    const redact = (text: string) => this.redactor.redact(text);
    if (typeof item.label === 'string') item.label = redact(item.label);
    if (typeof item.description === 'string') item.description = redact(item.description);
    if (typeof item.tooltip === 'string') item.tooltip = redact(item.tooltip);
    if (item.accessibilityInformation)
      item.accessibilityInformation = { ...item.accessibilityInformation, label: redact(item.accessibilityInformation.label) };
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, node: Node): Promise<vscode.TreeItem> {
    if (node instanceof KeyNode) {
      const tooltipMarkdown = keyTooltipMarkdown(node.key, Date.now(), settings.expiryWarningDays(), this.foundIn(node.key.id));
      const tooltip = new vscode.MarkdownString(this.redactor.redact(tooltipMarkdown));
      tooltip.isTrusted = false;
      tooltip.supportHtml = false;
      tooltip.supportThemeIcons = false;
      item.tooltip = tooltip;
    }
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node === undefined) {
      // The first time the view shows: read the accounts and load; nothing touches the network before that.
      this.started ??= this.start().then(() => this.render());
      await this.started;
      const state = this.viewState();
      if (state === 'signedOut' && this.ctx.store.snapshot.notice) {
        // The message says why this editor was signed out; VS Code hides the welcome content while it shows.
        return [new ActionNode('Set API Token…', 'key', { command: 'factify.signIn', title: 'Set API Token…' })];
      }
      return state === 'error' ? this.recoveryActions() : this.groups();
    }
    if (node instanceof GroupNode) {
      const limit = this.pageLimits.get(node.group.state) ?? PAGE_SIZE;
      const keys = node.group.keys;
      // One clock and one settings read per page, not per row.
      const nowMs = Date.now();
      const warningDays = settings.expiryWarningDays();
      const rows: Node[] = keys.slice(0, limit).map((key) => new KeyNode(key, node, keyRow(key, nowMs, warningDays, this.foundIn(key.id))));
      if (keys.length > limit) rows.push(new MoreNode(node.group.state, keys.length - limit, node));
      return rows;
    }
    return [];
  }

  /** Marks the keys found in the workspace; call again (or `markFound` with the same) when the findings change. */
  markFound(foundIn: (keyId: string) => readonly string[]): void {
    this.foundIn = foundIn;
    this.changed.fire(undefined);
  }

  /**
   * Selects and shows a key's row, clearing a filter that hides it and paging down to it; false when the view
   * does not show that key (revoked keys hidden, another organization, not loaded yet).
   */
  async revealKey(keyId: string): Promise<boolean> {
    const groupOf = () => this.groups().find((node) => node.group.keys.some((key) => key.id === keyId));
    if (!groupOf() && this.filterText !== undefined) this.setFilter(undefined);
    const group = groupOf();
    if (!group) return false;
    const index = group.group.keys.findIndex((key) => key.id === keyId);
    const key = group.group.keys[index] as ApiKey;
    const limit = this.pageLimits.get(group.group.state) ?? PAGE_SIZE;
    if (index >= limit) {
      this.pageLimits.set(group.group.state, (Math.floor(index / PAGE_SIZE) + 1) * PAGE_SIZE);
      this.changed.fire(group);
    }
    const row = keyRow(key, Date.now(), settings.expiryWarningDays(), this.foundIn(key.id));
    await this.treeView.reveal(new KeyNode(key, group, row), { select: true, focus: true, expand: true });
    return true;
  }

  getParent(node: Node): Node | undefined {
    return node instanceof GroupNode ? undefined : node.parent;
  }

  /** What can be done about the error that left the view without keys. */
  private recoveryActions(): ActionNode[] {
    const error = this.ctx.store.snapshot.error;
    const actions = [new ActionNode('Refresh', 'refresh', { command: 'factify.refresh', title: 'Refresh' })];
    if (error?.kind === 'unauthorized') {
      actions.push(new ActionNode('Set API Token…', 'key', { command: 'factify.signIn', title: 'Set API Token…' }));
    }
    if (error?.kind === 'forbidden' || error?.kind === 'notFound' || this.ctx.organizations.current) {
      actions.push(
        new ActionNode('Switch Organization…', 'organization', { command: 'factify.switchOrganization', title: 'Switch Organization…' }),
      );
    }
    if (error && ['invalidConfig', 'network', 'tls', 'redirect', 'invalidResponse', 'timeout'].includes(error.kind)) {
      actions.push(
        new ActionNode('Open Factify Settings', 'settings-gear', {
          command: 'workbench.action.openSettings',
          title: 'Open Factify Settings',
          arguments: ['@ext:factify.factify-api-keys'],
        }),
      );
    }
    actions.push(new ActionNode('Show Log', 'output', { command: 'factify.showLog', title: 'Show Log' }));
    return actions;
  }

  /**
   * Grouping sorts every key, so it runs once per list (a refresh that brings back the same answer keeps the
   * same list), and again only when a minute has passed, since keys expire with time. A filter only narrows the
   * sorted groups.
   */
  private groups(): GroupNode[] {
    const loaded = this.ctx.store.snapshot.loaded;
    if (!loaded) return [];
    const nowMs = Date.now();
    const includeRevoked = loaded.query.includeRevoked;
    let sorted = this.sorted;
    if (!sorted || sorted.keys !== loaded.keys || sorted.includeRevoked !== includeRevoked || nowMs - sorted.at > REGROUP_AFTER_MS) {
      sorted = this.sorted = {
        keys: loaded.keys,
        includeRevoked,
        at: nowMs,
        groups: groupByState(loaded.keys, { nowMs, includeRevoked }, sorted?.groups),
      };
      this.filtered = undefined;
    }
    if (!this.filtered || this.filtered.filter !== this.filterText) {
      const groups = filterGroups(sorted.groups, this.filterText);
      this.filtered = { filter: this.filterText, nodes: groups.map((group) => new GroupNode(group, this.filterText !== undefined)) };
    }
    return this.filtered.nodes.filter((node) => node.group.keys.length > 0);
  }

  viewState(): ViewState {
    const snapshot = this.ctx.store.snapshot;
    // Until SecretStorage has answered, "signed out" would be a guess: say loading instead.
    if (!this.ctx.accounts.loaded) return 'loading';
    if (!snapshot.signedIn) return 'signedOut';
    if (!snapshot.loaded) return snapshot.error && !snapshot.loading ? 'error' : 'loading';
    const groups = this.groups();
    if (groups.length > 0) return 'ready';
    return this.filterText !== undefined && this.sorted?.groups.length ? 'filteredEmpty' : 'empty';
  }

  private render(): void {
    const snapshot = this.ctx.store.snapshot;
    const state = this.viewState();
    void vscode.commands.executeCommand('setContext', 'factify.state', state);
    void vscode.commands.executeCommand('setContext', 'factify.signedIn', snapshot.signedIn);
    void vscode.commands.executeCommand('setContext', 'factify.filterActive', this.filterText !== undefined);
    void vscode.commands.executeCommand('setContext', 'factify.showRevoked', settings.showRevokedKeys());
    const message = this.message(snapshot, state);
    this.treeView.message = message === undefined ? undefined : this.redactor.redact(message);
    this.treeView.badge = snapshot.loaded && expiryBadge(snapshot.loaded.keys, Date.now(), settings.expiryWarningDays());
    const override = this.ctx.organizations.current;
    const organization = shownOrganization(override, snapshot, this.ctx.accounts);
    const description = override ? `⚠ acting as ${organization ?? override}` : organization;
    this.treeView.description = description === undefined ? undefined : this.redactor.redact(description);
    this.trackProgress(snapshot.loading);
    // Rebuilding the tree drops VS Code's handles to its rows for a moment (a click on a row's inline action
    // then finds no row): only when what the rows show changed, e.g. not for a refresh with the same answer.
    const treeInputs = [
      state,
      snapshot.loaded?.keys,
      snapshot.loaded?.query.includeRevoked,
      this.filterText,
      snapshot.error?.kind,
      this.ctx.organizations.current,
      Math.floor(Date.now() / REGROUP_AFTER_MS),
    ];
    if (!this.treeInputs || treeInputs.some((input, index) => input !== this.treeInputs?.[index])) {
      this.treeInputs = treeInputs;
      this.changed.fire(undefined);
    }
    this.scheduleAutoRefresh();
  }

  private message(snapshot: KeysSnapshot, state: ViewState): string | undefined {
    const error = snapshot.error;
    if (snapshot.notice) return snapshot.notice;
    if (state === 'error' && error) return this.shown(error.message, 500);
    const lines: string[] = [];
    if (error && snapshot.loaded && !snapshot.loading) {
      lines.push(
        `⚠ Refresh failed: ${this.shown(error.message, 400)} Showing the keys loaded ${new Date(snapshot.loaded.loadedAt).toLocaleTimeString()}.`,
      );
    }
    const rejected = snapshot.loaded?.rejected.length ?? 0;
    if (rejected > 0)
      lines.push(
        `⚠ ${rejected} record${rejected === 1 ? '' : 's'} from Factify ${rejected === 1 ? 'was' : 'were'} not valid and ${rejected === 1 ? 'is' : 'are'} not shown; see the log (Factify: Show Log).`,
      );
    if (this.filterText !== undefined && state !== 'signedOut') {
      // VS Code hides a view's welcome content while the view has a message: filtered-to-nothing alone is
      // left to the welcome content, which also offers Clear Filter and Filter Keys….
      if (state !== 'filteredEmpty') lines.push(`Filtered by “${displayText(this.filterText, 80)}”.`);
      else if (lines.length > 0) lines.push(`No key matches “${displayText(this.filterText, 80)}”.`);
    }
    return lines.length ? lines.join(' ') : undefined;
  }

  /** Server-derived text for the message: redacted first, then cut, so a cut never hides a secret from the redactor. */
  private shown(text: string, maxLength: number): string {
    return displayText(this.redactor.redact(text), maxLength);
  }

  private trackProgress(loading: boolean): void {
    if (loading && !this.progressDone) {
      void vscode.window.withProgress(
        { location: { viewId: VIEW_ID } },
        () => new Promise<void>((resolve) => (this.progressDone = resolve)),
      );
    } else if (!loading && this.progressDone) {
      this.progressDone();
      this.progressDone = undefined;
    }
  }

  /** Polls only while the view is visible and signed in, as `factify.autoRefreshSeconds` asks. */
  scheduleAutoRefresh(): void {
    const seconds = settings.autoRefreshSeconds();
    const wanted = seconds > 0 && this.treeView.visible && this.ctx.store.snapshot.signedIn;
    if (this.autoRefresh?.seconds === seconds && wanted) return;
    clearInterval(this.autoRefresh?.timer);
    this.autoRefresh = wanted ? { timer: setInterval(() => void this.ctx.store.refresh(), seconds * 1000), seconds } : undefined;
  }

  dispose(): void {
    clearInterval(this.autoRefresh?.timer);
    this.progressDone?.();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
