/**
 * Answering the extension's prompts inside the real extension host: `vscode.window`'s input boxes, quick
 * picks and messages replaced for the length of a command by a strict script, and every prompt recorded.
 *
 * Only Node built-ins and `vscode` are required here, as in host.ts (which re-exports all of this).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

/**
 * One scripted answer. Input boxes, quick picks and modal dialogs are answered strictly in order: a prompt
 * the script did not expect fails the test (and is answered as Escape). Non-modal messages are recorded and
 * answered by `messages` (default: dismissed), since the extension shows several of them without waiting.
 */
export type Step =
  | { readonly kind: 'input'; readonly answer: string | undefined; readonly samples?: readonly string[] }
  | { readonly kind: 'pick'; readonly choose: (items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined }
  | { readonly kind: 'modal'; readonly choose: (message: string, detail: string, buttons: readonly string[]) => string | undefined };

export const input = (answer: string | undefined, samples?: readonly string[]): Step => ({ kind: 'input', answer, samples });
export const escape = (): Step => input(undefined);
export const pick = (labelContains: string): Step => ({
  kind: 'pick',
  choose: (items) => items.find((item) => item.label.includes(labelContains)),
});
/** Picks the first item the predicate accepts. */
export const pickWhere = (predicate: (item: vscode.QuickPickItem) => boolean): Step => ({
  kind: 'pick',
  choose: (items) => items.find(predicate),
});
/** In Switch Organization…: the current token's own organization, which drops the override. */
export const pickOwnOrganization = (): Step => pickWhere((item) => /^Token's own organization/.test(item.detail ?? ''));
/** Presses the modal's button whose label starts with `prefix`; undefined = Cancel. */
export const modal = (prefix: string | undefined): Step => ({
  kind: 'modal',
  choose: (_message, _detail, buttons) => (prefix === undefined ? undefined : buttons.find((b) => b.startsWith(prefix))),
});

export type MessageKind = 'info' | 'warn' | 'error';

export interface PromptCall {
  readonly kind: 'input' | 'pick' | 'modal' | MessageKind;
  /** The box's title and prompt, the pick's title, or the message. */
  readonly text: string;
  readonly detail?: string;
  readonly password?: boolean;
  /** The value an input box was opened with (prefilled text). */
  readonly value?: string;
  readonly items?: readonly string[];
  readonly buttons?: readonly string[];
  readonly answer?: string;
  /** What validateInput said about the answer and the samples, in that order ('' = accepted). */
  readonly validation?: readonly string[];
  readonly unexpected?: boolean;
}

type WindowFns = Pick<
  typeof vscode.window,
  'showInputBox' | 'showQuickPick' | 'showWarningMessage' | 'showInformationMessage' | 'showErrorMessage'
>;
const STUBBED: ReadonlyArray<keyof WindowFns> = [
  'showInputBox',
  'showQuickPick',
  'showWarningMessage',
  'showInformationMessage',
  'showErrorMessage',
];

/**
 * Replaces the prompt functions of `vscode.window` for the duration of `run`. This reaches the extension
 * because run.ts loads the suites from inside the extension's folder, where VS Code hands `require('vscode')`
 * the same API object it gave the extension (the usual @vscode/test-electron layout); the first suite
 * checks that it does.
 */
export class ScriptedWindow {
  readonly calls: PromptCall[] = [];
  private readonly steps: Step[];

  constructor(
    steps: readonly Step[],
    private readonly messages: (kind: MessageKind, message: string, actions: readonly string[]) => string | undefined = () => undefined,
  ) {
    this.steps = [...steps];
  }

  async run<T>(task: () => Thenable<T> | Promise<T>): Promise<T> {
    const window = vscode.window as unknown as Record<string, unknown>;
    const saved = new Map(STUBBED.map((name) => [name, window[name]] as const));
    window.showInputBox = (options?: vscode.InputBoxOptions) => this.input(options ?? {});
    window.showQuickPick = (
      items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>,
      options?: vscode.QuickPickOptions,
    ) => this.pick(items, options);
    window.showWarningMessage = (message: string, ...rest: unknown[]) => this.message('warn', message, rest);
    window.showInformationMessage = (message: string, ...rest: unknown[]) => this.message('info', message, rest);
    window.showErrorMessage = (message: string, ...rest: unknown[]) => this.message('error', message, rest);
    try {
      return await task();
    } finally {
      for (const [name, fn] of saved) window[name] = fn;
    }
  }

  /** Every scripted step was used and nothing unexpected was asked. */
  assertDone(): void {
    const unexpected = this.calls.filter((c) => c.unexpected);
    assert.deepEqual(unexpected, [], 'the extension asked something the script did not expect');
    assert.equal(
      this.steps.length,
      0,
      `scripted steps never reached: ${this.steps.map((s) => s.kind).join(', ')}; calls: ${JSON.stringify(this.calls)}`,
    );
  }

  of(kind: PromptCall['kind']): PromptCall[] {
    return this.calls.filter((c) => c.kind === kind);
  }

  private next<K extends Step['kind']>(kind: K, call: Omit<PromptCall, 'unexpected'>): Extract<Step, { kind: K }> | undefined {
    const step = this.steps[0];
    if (step?.kind !== kind) {
      this.calls.push({ ...call, unexpected: true });
      return undefined;
    }
    this.steps.shift();
    return step as Extract<Step, { kind: K }>;
  }

  private async input(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const text = [options.title, options.prompt].filter(Boolean).join(' — ');
    const step = this.next('input', { kind: 'input', text, password: options.password });
    if (!step) return undefined;
    const validation: string[] = [];
    for (const value of [...(step.answer === undefined ? [] : [step.answer]), ...(step.samples ?? [])]) {
      const verdict = options.validateInput ? await options.validateInput(value) : undefined;
      validation.push(typeof verdict === 'string' ? verdict : (verdict?.message ?? ''));
    }
    // A real input box stays open on a refused value; the script treats that as a mistake in the test.
    const refused = step.answer !== undefined && validation[0] !== '';
    this.calls.push({
      kind: 'input',
      text,
      password: options.password,
      value: options.value,
      answer: step.answer,
      validation,
      unexpected: refused,
    });
    return refused ? undefined : step.answer;
  }

  private async pick(
    source: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>,
    options?: vscode.QuickPickOptions,
  ): Promise<vscode.QuickPickItem | undefined> {
    const items = await source;
    const text = options?.title ?? options?.placeHolder ?? '';
    const labels = items.map((item) => item.label);
    const step = this.next('pick', { kind: 'pick', text, items: labels });
    if (!step) return undefined;
    const chosen = step.choose(items);
    this.calls.push({
      kind: 'pick',
      text,
      items: labels,
      answer: chosen?.label,
      unexpected: chosen === undefined ? false : !items.includes(chosen),
    });
    return chosen;
  }

  private async message(kind: MessageKind, message: string, rest: unknown[]): Promise<string | vscode.MessageItem | undefined> {
    const first = rest[0];
    const options = first && typeof first === 'object' && !('title' in first) ? (rest.shift() as vscode.MessageOptions) : undefined;
    const buttons = rest as Array<string | vscode.MessageItem>;
    const labels = buttons.map((b) => (typeof b === 'string' ? b : b.title));
    const choose = (label: string | undefined): string | vscode.MessageItem | undefined =>
      label === undefined ? undefined : buttons[labels.indexOf(label)];
    if (options?.modal) {
      const call = { kind: 'modal' as const, text: message, detail: options.detail ?? '', buttons: labels };
      const step = this.next('modal', call);
      if (!step) return undefined;
      const answer = step.choose(message, options.detail ?? '', labels);
      this.calls.push({ ...call, answer });
      return choose(answer);
    }
    const answer = this.messages(kind, message, labels);
    this.calls.push({ kind, text: message, buttons: labels, answer });
    return choose(answer);
  }
}

/** Runs a Factify command with the prompts answered by `steps`, and checks the script was followed. */
export async function runScripted(
  command: string,
  steps: readonly Step[],
  options: {
    args?: unknown[];
    messages?: (kind: MessageKind, message: string, actions: readonly string[]) => string | undefined;
  } = {},
): Promise<ScriptedWindow> {
  const script = new ScriptedWindow(steps, options.messages);
  await script.run(() => vscode.commands.executeCommand(command, ...(options.args ?? [])));
  script.assertDone();
  return script;
}
