import * as vscode from 'vscode';
import { type ApiKey, type KeyState } from './core/apiKey';
import { describeForLog, toFactifyError, type Logger } from './core/errors';
import { type Redactor } from './core/redact';
import { displayText, escapeThemeIcons } from './core/text';
import { signIn, signOut } from './flows/account';
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

/** Every command of SPEC section 3, in one table. */
const COMMANDS: Readonly<Record<string, Handler>> = {
  'factify.signIn': ({ ctx }) => signIn(ctx),
  'factify.signOut': ({ ctx }) => signOut(ctx),
  'factify.refresh': refresh,
  'factify.revokeKey': ({ ctx, view }, clicked, selected) => revokeKeys(ctx, keysFromArgs(view, clicked, selected)),
  'factify.switchOrganization': ({ ctx }) => switchOrganization(ctx),
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
export function registerGuarded(id: string, deps: { readonly log: Logger; readonly ctx: Pick<AppContext, 'prompts'> }, run: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (thrown) {
      // The boundary itself never throws: the log swallows a closed channel, and the message is shown
      // through the prompts (redacted there) without awaiting it.
      try {
        const error = toFactifyError(thrown);
        deps.log.error(`Command ${id} failed: ${describeForLog(error)}`);
        deps.ctx.prompts.error(error.message).catch(() => undefined);
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
    title: 'Factify: Filter Keys',
    prompt: 'Show only keys whose name, prefix or id contains this text. Leave empty to show all.',
    placeHolder: 'e.g. deploy, ffy_prod_, key_01…',
    value: view.filter ?? '',
  });
  if (text !== undefined) view.setFilter(text);
}

async function copy({ view, redactor }: CommandDeps, clicked: unknown, field: 'id' | 'prefix'): Promise<void> {
  const key = keysFromArgs(view, clicked, undefined)?.[0];
  if (key) await copyKeyField(key, field, redactor);
}

/** Copies a key's id or prefix and says so in the status bar. */
export async function copyKeyField(key: ApiKey, field: 'id' | 'prefix', redactor: Redactor): Promise<void> {
  await vscode.env.clipboard.writeText(key[field]);
  // The id is server text: redacted, one line, and never `$(icon)` syntax in the status bar.
  const id = escapeThemeIcons(displayText(redactor.redact(key.id), 80));
  vscode.window.setStatusBarMessage(field === 'id' ? `Copied key ID ${id}` : 'Copied key prefix', 3000);
}

/**
 * The keys a command acts on: the clicked row and, from a multi-selection, every selected row; from the
 * palette, undefined (the command then asks).
 */
function keysFromArgs(view: KeysView, clicked: unknown, selected: unknown): ApiKey[] | undefined {
  if (!(clicked instanceof KeyNode)) return undefined;
  const nodes = Array.isArray(selected) && selected.includes(clicked) ? selected : [clicked];
  const keys = nodes.filter((node): node is KeyNode => node instanceof KeyNode).map((node) => node.key);
  return keys.length > 0 ? keys : view.selection();
}
