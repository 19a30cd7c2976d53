import vscode = require('vscode');
import { type Redactor } from './core/redact';
import { type InputOptions, type PickItem, type Prompts } from './flows/context';
import { VIEW_ID } from './treeView';

/**
 * The journeys' prompts over `vscode.window`: thin on purpose, so the journeys themselves stay testable.
 * Every text shown passes the log's redactor here, the one choke point for what a prompt says; a
 * notification's text can never form a link.
 */
export function createPrompts(redactor: Redactor): Prompts {
  const text = (value: string): string => redactor.redact(value);
  // Notifications turn `[label](command:…)` into a link: no text the product shows is one, so none can become one.
  const notification = (value: string): string => text(value).replace(/\]\(/g, ']\u200b(');
  const optional = (value: string | undefined): string | undefined => (value === undefined ? undefined : text(value));
  return {
    async input(options: InputOptions) {
      return vscode.window.showInputBox({
        title: text(options.title),
        prompt: text(options.prompt),
        placeHolder: optional(options.placeHolder),
        password: options.password,
        value: options.value,
        ignoreFocusOut: true,
        validateInput: options.validate && ((value) => optional(options.validate?.(value))),
      });
    },
    async pick<T>(items: ReadonlyArray<PickItem<T>>, options: { title: string; placeHolder: string }) {
      const chosen = await vscode.window.showQuickPick(
        items.map((item) =>
          item.separator
            ? { label: text(item.label), kind: vscode.QuickPickItemKind.Separator, value: undefined }
            : { label: text(item.label), description: optional(item.description), detail: optional(item.detail), value: item.value },
        ),
        { title: text(options.title), placeHolder: text(options.placeHolder), matchOnDescription: true, matchOnDetail: true },
      );
      return chosen?.value;
    },
    async confirm(message: string, detail: string, confirmLabel: string) {
      const label = text(confirmLabel);
      return (await vscode.window.showWarningMessage(text(message), { modal: true, detail: text(detail) }, label)) === label;
    },
    info: async (message, ...actions) => vscode.window.showInformationMessage(notification(message), ...actions),
    warn: async (message, ...actions) => vscode.window.showWarningMessage(notification(message), ...actions),
    error: async (message, ...actions) => vscode.window.showErrorMessage(notification(message), ...actions),
    async progress<T>(title: string, task: () => Promise<T>) {
      return vscode.window.withProgress({ location: { viewId: VIEW_ID }, title: text(title) }, task);
    },
  };
}
