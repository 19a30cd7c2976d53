import * as vscode from 'vscode';
import { type InputOptions, type PickItem, type Prompts } from './flows/context';

/** The journeys' prompts over `vscode.window`: thin on purpose, so the journeys themselves stay testable. */
export const vscodePrompts: Prompts = {
  async input(options: InputOptions) {
    return vscode.window.showInputBox({
      title: options.title,
      prompt: options.prompt,
      placeHolder: options.placeHolder,
      password: options.password,
      value: options.value,
      ignoreFocusOut: true,
      validateInput: options.validate,
    });
  },
  async pick<T>(items: ReadonlyArray<PickItem<T>>, options: { title: string; placeHolder: string }) {
    const chosen = await vscode.window.showQuickPick(items.map((item) => (item.separator
      ? { label: item.label, kind: vscode.QuickPickItemKind.Separator, value: undefined }
      : { label: item.label, description: item.description, detail: item.detail, value: item.value })), {
      title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true,
    });
    return chosen?.value;
  },
  async confirm(message: string, detail: string, confirmLabel: string) {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, confirmLabel)) === confirmLabel;
  },
  info: async (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
  warn: async (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
  error: async (message, ...actions) => vscode.window.showErrorMessage(message, ...actions),
  async progress<T>(title: string, task: () => Promise<T>) {
    return vscode.window.withProgress({ location: { viewId: 'factify.apiKeys' }, title }, task);
  },
};
