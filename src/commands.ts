import * as vscode from 'vscode';
import { type ApiKey, type KeyState } from './core/apiKey';
import { describeForLog, toFactifyError, type Logger } from './core/errors';
import { type Redactor } from './core/redact';
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

/** Every command of SPEC section 3, in one table. */
const COMMANDS: Readonly<Record<string, Handler>> = {
  'factify.signIn': ({ ctx }) => signIn(ctx),
  'factify.signOut': ({ ctx }) => signOut(ctx),
  'factify.refresh': refresh,
  'factify.revokeKey': ({ ctx, view }, clicked, selected) => revokeKeys(ctx, keysFromArgs(view, clicked, selected)),
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
  return Object.entries(COMMANDS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(deps, ...args);
      } catch (thrown) {
        const error = toFactifyError(thrown);
        deps.log.error(`Command ${id} failed: ${describeForLog(error)}`);
        void vscode.window.showErrorMessage(deps.redactor.redact(error.message));
        return undefined;
      }
    }));
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

async function copy({ view }: CommandDeps, clicked: unknown, field: 'id' | 'prefix'): Promise<void> {
  const key = keysFromArgs(view, clicked, undefined)?.[0];
  if (!key) return;
  await vscode.env.clipboard.writeText(key[field]);
  vscode.window.setStatusBarMessage(field === 'id' ? `Copied key ID ${key.id}` : 'Copied key prefix', 3000);
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
