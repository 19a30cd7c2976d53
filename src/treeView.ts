import vscode = require('vscode');
import { type ApiKey, type KeyState } from './core/apiKey';
import {
  keyRow,
  KeyRowCache,
  keyTooltipMarkdown,
  ownTreeItemId,
  PAGE_SIZE,
  STATE_LABELS,
  type KeyGroup,
  type KeyIcon,
  type KeyRow,
} from './core/keyTree';
import { DeferredTask } from './core/deferredTask';
import { cachedExpiryBadge } from './core/expiry';
import { t } from './core/l10n';
import {
  contextKeys,
  KeyGrouping,
  rootRows,
  rowInputs,
  rowInputsChanged,
  viewDescription,
  viewMessage,
  viewState,
  type ViewInputs,
  type ViewState,
} from './core/keysViewModel';
import { REMEDY_LABELS, type RowRemedy } from './core/remedies';
import { type Redactor } from './core/redact';
import { type AppContext } from './flows/context';
import { shownOrganization } from './flows/organizationLabel';
import { settings } from './settings';

export const VIEW_ID = 'factify.apiKeys';

export class GroupNode {
  constructor(
    readonly group: KeyGroup,
    readonly filtered: boolean,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(STATE_LABELS[this.group.state], vscode.TreeItemCollapsibleState.Expanded);
    item.id = ownTreeItemId('group', this.group.state);
    item.description = this.filtered ? t('{0} of {1}', this.group.size, this.group.total) : String(this.group.total);
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
    const next = Math.min(PAGE_SIZE, this.remaining);
    const item = new vscode.TreeItem(next === 1 ? t('Show 1 more…') : t('Show {0} more…', next), vscode.TreeItemCollapsibleState.None);
    item.id = ownTreeItemId('more', this.state);
    item.description = this.remaining === 1 ? t('1 not shown') : t('{0} not shown', this.remaining);
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.command = { command: 'factify.showMoreKeys', title: t('Show More Keys'), arguments: [this.state] };
    return item;
  }
}

/**
 * A way out of an error, as a row under the view's message: VS Code hides welcome content while a view has a
 * message, and the message is what says what went wrong.
 */
export class ActionNode {
  readonly parent = undefined;

  readonly label: string;
  readonly icon: string;
  readonly command: vscode.Command;

  constructor(remedy: RowRemedy) {
    const row = REMEDY_ROWS[remedy];
    this.label = REMEDY_LABELS[remedy];
    this.icon = row.icon;
    this.command = { title: this.label, command: row.command, ...(row.arguments ? { arguments: row.arguments } : {}) };
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = ownTreeItemId('action', this.command.command);
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.command = this.command;
    item.contextValue = 'factifyAction';
    return item;
  }
}

/** What each row under an error runs. */
const REMEDY_ROWS: Readonly<Record<RowRemedy, { icon: string; command: string; arguments?: unknown[] }>> = {
  refresh: { icon: 'refresh', command: 'factify.refresh' },
  setToken: { icon: 'key', command: 'factify.signIn' },
  switchOrganization: { icon: 'organization', command: 'factify.switchOrganization' },
  openSettings: { icon: 'settings-gear', command: 'workbench.action.openSettings', arguments: ['@ext:factify.factify-api-keys'] },
  showLog: { icon: 'output', command: 'factify.showLog' },
};

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
 * The keys tree (`VIEW_ID`): renders the view model (`src/core/keysViewModel.ts`) as rows, message,
 * description, badge and context keys; shows progress while loading, and auto-refreshes.
 */
export class KeysView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly treeView: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];
  private filterText: string | undefined;
  private readonly grouping = new KeyGrouping();
  /** The rows of keys a refresh gave back unchanged, for as long as they say the same. */
  private readonly rowCache = new KeyRowCache();
  /** One node per group the grouping gave: the same group keeps its node, so its rows keep their identity. */
  private groupNodes = new WeakMap<KeyGroup, GroupNode>();
  private started: Promise<void> | undefined;
  private progressDone: (() => void) | undefined;
  private autoRefresh: { timer: NodeJS.Timeout; seconds: number } | undefined;
  /** What the rows were last built from: a render that changes none of it leaves the tree alone. */
  private treeInputs: readonly unknown[] | undefined;
  private readonly badgeLater = new DeferredTask();
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
      this.badgeLater,
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
    this.rerender();
  }

  /** Rebuilds every row from the first page (a new filter). */
  private rerender(): void {
    this.grouping.resetPaging();
    this.treeInputs = undefined;
    this.render();
  }

  /**
   * A `factify.*` setting changed: the rows are rebuilt only when what they show changed (the expiry warning,
   * say). Rebuilding drops VS Code's handles to the rows for a moment, so a click on a row's inline action in
   * that moment would reach the command without its key.
   */
  settingsChanged(): void {
    this.render();
  }

  showMore(state: KeyState): void {
    this.grouping.showMore(state);
    const group = this.groups().find((node) => node.group.state === state);
    this.changed.fire(group);
  }

  /** The keys of the selected rows, for commands run from a keybinding. */
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
      const rows = rootRows(this.viewState(), this.ctx.store.snapshot, this.ctx.organizations.current !== undefined);
      return 'remedies' in rows ? rows.remedies.map((remedy) => new ActionNode(remedy)) : this.groups();
    }
    if (node instanceof GroupNode) {
      const limit = this.grouping.pageLimit(node.group.state);
      const group = node.group;
      // One clock and one settings read per page, not per row.
      const nowMs = Date.now();
      const warningDays = settings.expiryWarningDays();
      const rows: Node[] = group
        .first(limit)
        .map((key) => new KeyNode(key, node, this.rowCache.row(key, nowMs, warningDays, this.foundIn(key.id))));
      if (group.size > limit) rows.push(new MoreNode(group.state, group.size - limit, node));
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
    if (this.grouping.pageTo(group.group.state, index)) this.changed.fire(group);
    const row = keyRow(key, Date.now(), settings.expiryWarningDays(), this.foundIn(key.id));
    await this.treeView.reveal(new KeyNode(key, group, row), { select: true, focus: true, expand: true });
    return true;
  }

  getParent(node: Node): Node | undefined {
    return node instanceof GroupNode ? undefined : node.parent;
  }

  private groups(): GroupNode[] {
    return this.grouping.groups(this.ctx.store.snapshot.loaded, this.filterText, Date.now()).map((group) => {
      let node = this.groupNodes.get(group);
      if (!node) this.groupNodes.set(group, (node = new GroupNode(group, this.filterText !== undefined)));
      return node;
    });
  }

  private inputs(): ViewInputs {
    const shownGroups = this.groups().length;
    return {
      accountsLoaded: this.ctx.accounts.loaded,
      snapshot: this.ctx.store.snapshot,
      filter: this.filterText,
      shownGroups,
      hadKeys: this.grouping.hadKeys,
    };
  }

  viewState(): ViewState {
    return viewState(this.inputs());
  }

  private render(): void {
    const input = this.inputs();
    const snapshot = input.snapshot;
    const state = viewState(input);
    for (const [key, value] of Object.entries(contextKeys(state, input, settings.showRevokedKeys())))
      void vscode.commands.executeCommand('setContext', key, value);
    const redact = (text: string) => this.redactor.redact(text);
    const message = viewMessage(input, state, redact);
    this.treeView.message = message === undefined ? undefined : redact(message);
    this.badgeLater.schedule(this.showBadge);
    const override = this.ctx.organizations.current;
    const description = viewDescription(override, shownOrganization(override, snapshot, this.ctx.accounts));
    this.treeView.description = description === undefined ? undefined : redact(description);
    this.trackProgress(snapshot.loading);
    const treeInputs = rowInputs(state, input, override, Date.now(), settings.expiryWarningDays());
    if (rowInputsChanged(this.treeInputs, treeInputs)) {
      this.treeInputs = treeInputs;
      this.changed.fire(undefined);
    }
    this.scheduleAutoRefresh();
  }

  /** The expiry badge of the list shown now. Counting is a pass over the whole list: it waits for the rows. */
  private readonly showBadge = (): void => {
    const loaded = this.ctx.store.snapshot.loaded;
    this.treeView.badge = loaded && cachedExpiryBadge(loaded.keys, Date.now(), settings.expiryWarningDays());
  };

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
