import vscode = require('vscode');
import { type ApiKey, type KeyState } from './core/apiKey';
import { describeForLog, toFactifyError, type Logger } from './core/errors';
import { t } from './core/l10n';
import { type Redactor } from './core/redact';
import { pointsToLog, REMEDY_LABELS } from './core/remedies';
import { displayText, escapeThemeIcons } from './core/text';
import { renameOrganization, signIn, signOut } from './flows/account';
import { type AppContext } from './flows/context';
import { revokeKeys } from './flows/revoke';
import { offerRecovery } from './flows/recovery';
import { switchOrganization } from './flows/switchOrganization';
import { settings } from './settings';
import { KeyNode, type KeysView } from './treeView';

export interface CommandDeps {
  readonly ctx: AppContext;
  readonly view: KeysView;
  readonly log: Logger & { show(): void };
  readonly redactor: Redactor;
}

type Handler = (deps: CommandDeps, ...args: unknown[]) => unknown;

/** Every command of the view and the palette, in one table. */
const COMMANDS: Readonly<Record<string, Handler>> = {
  'factify.signIn': ({ ctx }) => signIn(ctx),
  'factify.signOut': ({ ctx }) => signOut(ctx),
  'factify.refresh': refresh,
  'factify.revokeKey': ({ ctx, view }, clicked, selected) => {
    const keys = keysFromArgs(view, clicked, selected);
    // Delete with no key row selected (a group row, say) does nothing rather than ask which key.
    return keys?.length === 0 ? undefined : revokeKeys(ctx, keys);
  },
  'factify.switchOrganization': ({ ctx }) => switchOrganization(ctx),
  'factify.renameOrganization': ({ ctx }) => renameOrganization(ctx),
  'factify.showRevokedKeys': () => settings.setShowRevokedKeys(true),
  'factify.hideRevokedKeys': () => settings.setShowRevokedKeys(false),
  'factify.copyKeyId': (deps, clicked) => copy(deps, clicked, 'id'),
  'factify.copyKeyPrefix': (deps, clicked) => copy(deps, clicked, 'prefix'),
  'factify.filterKeys': filter,
  'factify.editFilter': filter,
  'factify.clearFilter': ({ view }) => view.setFilter(undefined),
  'factify.showLog': ({ log }) => log.show(),
  'factify.showMoreKeys': ({ view }, state) => view.showMore(state as KeyState),
};

/** Registers the table behind one error boundary: whatever a command throws ends in a short, redacted message. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, handler]) => registerGuarded(id, deps, (...args) => handler(deps, ...args)));
}

/** One command behind the error boundary, for command tables kept next to their feature. */
export function registerGuarded(
  id: string,
  deps: { readonly log: Logger; readonly ctx: Pick<AppContext, 'prompts'> },
  run: (...args: unknown[]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (thrown) {
      // The boundary itself never throws: the log swallows a closed channel, and the message is shown
      // through the prompts (redacted there) without awaiting it.
      try {
        const error = toFactifyError(thrown);
        // The log's own words stay English, like VS Code's; the error's message is quoted as the user saw it.
        deps.log.error(`Command ${id} failed: ${describeForLog(error)}`);
        const showLog = REMEDY_LABELS.showLog;
        deps.ctx.prompts
          .error(error.message, ...(pointsToLog(error.message) ? [showLog] : []))
          .then((chosen) => chosen === showLog && deps.log.show?.())
          .catch(() => undefined);
      } catch {
        // Nothing sensible is left to do: the window is going away.
      }
      return undefined;
    }
  });
}

async function refresh({ ctx }: CommandDeps): Promise<void> {
  await ctx.store.refresh();
  const error = ctx.store.snapshot.error;
  if (error) await offerRecovery(ctx, error);
}

async function filter({ view }: CommandDeps): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: t('Factify: Filter Keys'),
    prompt: t('Show only keys whose name, prefix or id contains this text. Leave empty to show all.'),
    placeHolder: t('e.g. deploy, ffy_prod_, key_01…'),
    value: view.filter ?? '',
  });
  if (text !== undefined) view.setFilter(text);
}

async function copy({ view, redactor }: CommandDeps, clicked: unknown, field: 'id' | 'prefix'): Promise<void> {
  const keys = keysFromArgs(view, clicked, undefined);
  if (keys?.length) await copyKeyFields(keys, field, redactor);
}

/** Copies the keys' ids or prefixes, one per line, and says so in the status bar. */
export async function copyKeyFields(keys: readonly ApiKey[], field: 'id' | 'prefix', redactor: Redactor): Promise<void> {
  await vscode.env.clipboard.writeText(keys.map((key) => key[field]).join('\n'));
  const only = keys.length === 1 ? keys[0] : undefined;
  // The id is server text: redacted, one line, and never `$(icon)` syntax in the status bar.
  const message =
    only === undefined
      ? field === 'id'
        ? t('Copied {0} key IDs', keys.length)
        : t('Copied {0} key prefixes', keys.length)
      : field === 'id'
        ? t('Copied key ID {0}', escapeThemeIcons(displayText(redactor.redact(only.id), 80)))
        : t('Copied key prefix');
  vscode.window.setStatusBarMessage(message, 3000);
}

/** What the keybindings pass (package.json): act on the keys selected in the tree. */
const SELECTED_KEYS = 'selectedKeys';

/**
 * The keys a command acts on: the clicked row and, from a multi-selection, every selected row; from a
 * keybinding, the selected rows; from the palette, undefined (the command then asks).
 */
function keysFromArgs(view: KeysView, clicked: unknown, selected: unknown): ApiKey[] | undefined {
  if (clicked === SELECTED_KEYS) return view.selection();
  if (!(clicked instanceof KeyNode)) return undefined;
  const nodes = Array.isArray(selected) && selected.includes(clicked) ? selected : [clicked];
  // The clicked row is a key row, so this is never empty.
  return nodes.filter((node): node is KeyNode => node instanceof KeyNode).map((node) => node.key);
}
