/**
 * A `Prompts` for the user journeys (src/flows) driven by a script of expected calls and answers.
 *
 * The script is strict: every prompt call must be the next scripted step and of the same kind; a call with
 * nothing left in the script, or a step never reached, fails the test with a description of what was shown.
 */
import assert from 'node:assert/strict';
import { type InputOptions, type PickItem, type Prompts } from '../../../src/flows/context';

// ---------------------------------------------------------------------------------------------------------
// The script

export type MessageKind = 'info' | 'warn' | 'error';
export type StepKind = 'input' | 'pick' | MessageKind | 'confirm';

/** Chooses from the items of a pick: the item to return, or undefined for Escape. */
export type PickChooser = (items: ReadonlyArray<PickItem<unknown>>) => PickItem<unknown> | undefined;

export type Step =
  | { readonly kind: 'input'; readonly answer: string | undefined; readonly samples: readonly string[] }
  | { readonly kind: 'pick'; readonly choose: PickChooser; readonly describe: string }
  | { readonly kind: 'confirm'; readonly answer: boolean }
  | { readonly kind: MessageKind; readonly answer: string | undefined };

/** Types `answer` into the input box (undefined = Escape); `samples` are run through `validate` and recorded. */
export function input(answer: string | undefined, samples: readonly string[] = []): Step {
  return { kind: 'input', answer, samples };
}

/** Presses Escape in the input box, after recording what `validate` says about `samples`. */
export function escapeInput(samples: readonly string[] = []): Step {
  return input(undefined, samples);
}

/** Picks the first item whose label contains `label` (a string) or that the predicate accepts. */
export function pick(label: string | ((item: PickItem<unknown>) => boolean)): Step {
  const matches = typeof label === 'string' ? (item: PickItem<unknown>) => item.label.includes(label) : label;
  const describe = typeof label === 'string' ? `item whose label contains “${label}”` : 'item matching the predicate';
  return {
    kind: 'pick',
    describe,
    choose: (items) => {
      const found = items.find(matches);
      assert.ok(found, `The pick offered no ${describe}. Items: ${items.map((item) => JSON.stringify(item.label)).join(', ')}`);
      return found;
    },
  };
}

/** Presses Escape in a quick pick. */
export function escapePick(): Step {
  return { kind: 'pick', describe: 'Escape', choose: () => undefined };
}

/** Answers a modal confirmation: true chooses the confirming button, false dismisses it. */
export function confirm(answer: boolean): Step {
  return { kind: 'confirm', answer };
}

/** Expects an information message; `action` is the button the user chooses (undefined = dismissed). */
export function info(action?: string): Step {
  return { kind: 'info', answer: action };
}

export function warn(action?: string): Step {
  return { kind: 'warn', answer: action };
}

export function error(action?: string): Step {
  return { kind: 'error', answer: action };
}

// ---------------------------------------------------------------------------------------------------------
// What was shown

export interface Validation {
  readonly value: string;
  /** What `validate` said: undefined means the value is accepted. */
  readonly message: string | undefined;
}

export interface ShownInput {
  readonly kind: 'input';
  readonly title: string;
  readonly prompt: string;
  readonly placeHolder: string | undefined;
  readonly password: boolean;
  readonly value: string | undefined;
  readonly hasValidate: boolean;
  readonly validations: readonly Validation[];
  readonly answer: string | undefined;
}

export interface ShownPick {
  readonly kind: 'pick';
  readonly title: string;
  readonly placeHolder: string;
  readonly items: ReadonlyArray<PickItem<unknown>>;
  readonly chosen: PickItem<unknown> | undefined;
}

export interface ShownConfirm {
  readonly kind: 'confirm';
  readonly message: string;
  readonly detail: string;
  readonly confirmLabel: string;
  readonly answer: boolean;
}

export interface ShownMessage {
  readonly kind: MessageKind;
  readonly message: string;
  readonly actions: readonly string[];
  readonly answer: string | undefined;
}

export type Shown = ShownInput | ShownPick | ShownConfirm | ShownMessage;

/** The record type of one kind of prompt. */
export type ShownOf<K extends Shown['kind']> = K extends 'input'
  ? ShownInput
  : K extends 'pick'
    ? ShownPick
    : K extends 'confirm'
      ? ShownConfirm
      : ShownMessage;

function summarize(shown: Shown): string {
  switch (shown.kind) {
    case 'input':
      return `input “${shown.title}”`;
    case 'pick':
      return `pick “${shown.title}” [${shown.items.map((item) => item.label).join(' | ')}]`;
    case 'confirm':
      return `confirm “${shown.message}” [${shown.confirmLabel}]`;
    default:
      return `${shown.kind} “${shown.message}”${shown.actions.length ? ` [${shown.actions.join(' | ')}]` : ''}`;
  }
}

/**
 * `Prompts` answered from a script. Everything shown is recorded in `shown` (in order) and `progressTitles`.
 * Call `assertDone()` at the end of a test: it fails when a step was never reached or a call was unexpected
 * (the flows fire some messages with `void`, so a failure there is also remembered, not only thrown).
 */
export class ScriptedPrompts implements Prompts {
  readonly shown: Shown[] = [];
  readonly progressTitles: string[] = [];
  private readonly script: Step[];
  private readonly failures: Error[] = [];

  constructor(script: readonly Step[] = []) {
    this.script = [...script];
  }

  /** Adds steps at the end of the script. */
  then(...steps: Step[]): this {
    this.script.push(...steps);
    return this;
  }

  get remaining(): readonly Step[] {
    return this.script;
  }

  private next(kind: StepKind, what: string): Step {
    const step = this.script.shift();
    const history = this.shown.length === 0 ? '(nothing yet)' : this.shown.map(summarize).join('\n  ');
    let problem: string | undefined;
    if (!step) problem = `Unexpected ${kind} call, the script is finished: ${what}`;
    else if (step.kind !== kind) problem = `Expected a ${step.kind} call but got ${kind}: ${what}`;
    if (problem) {
      const failure = new assert.AssertionError({ message: `${problem}\nShown so far:\n  ${history}` });
      this.failures.push(failure);
      throw failure;
    }
    return step as Step;
  }

  async input(options: InputOptions): Promise<string | undefined> {
    const step = this.next('input', `“${options.title}”: ${options.prompt}`) as Extract<Step, { kind: 'input' }>;
    const validations = step.samples.map((value) => ({ value, message: options.validate?.(value) }));
    if (step.answer !== undefined && options.validate) {
      // VS Code never accepts a value its validateInput refuses; record it so tests can see the attempt.
      validations.push({ value: step.answer, message: options.validate(step.answer) });
    }
    this.shown.push({
      kind: 'input',
      title: options.title,
      prompt: options.prompt,
      placeHolder: options.placeHolder,
      password: options.password === true,
      value: options.value,
      hasValidate: options.validate !== undefined,
      validations,
      answer: step.answer,
    });
    return step.answer;
  }

  async pick<T>(items: ReadonlyArray<PickItem<T>>, options: { title: string; placeHolder: string }): Promise<T | undefined> {
    const step = this.next('pick', `“${options.title}”`) as Extract<Step, { kind: 'pick' }>;
    const shown: ShownPick = { kind: 'pick', title: options.title, placeHolder: options.placeHolder, items: [...items], chosen: undefined };
    let chosen: PickItem<unknown> | undefined;
    try {
      chosen = step.choose(items);
    } catch (thrown) {
      this.shown.push(shown);
      this.failures.push(thrown as Error);
      throw thrown;
    }
    this.shown.push({ ...shown, chosen });
    return chosen?.value as T | undefined;
  }

  async confirm(message: string, detail: string, confirmLabel: string): Promise<boolean> {
    const step = this.next('confirm', `“${message}”`) as Extract<Step, { kind: 'confirm' }>;
    this.shown.push({ kind: 'confirm', message, detail, confirmLabel, answer: step.answer });
    return step.answer;
  }

  info(message: string, ...actions: string[]): Promise<string | undefined> {
    return this.message('info', message, actions);
  }

  warn(message: string, ...actions: string[]): Promise<string | undefined> {
    return this.message('warn', message, actions);
  }

  error(message: string, ...actions: string[]): Promise<string | undefined> {
    return this.message('error', message, actions);
  }

  async progress<T>(title: string, task: () => Promise<T>): Promise<T> {
    this.progressTitles.push(title);
    return task();
  }

  private async message(kind: MessageKind, message: string, actions: string[]): Promise<string | undefined> {
    const step = this.next(kind, `“${message}”`) as Extract<Step, { kind: MessageKind }>;
    this.shown.push({ kind, message, actions, answer: step.answer });
    if (step.answer !== undefined && !actions.includes(step.answer)) {
      const failure = new assert.AssertionError({
        message: `The script chooses “${step.answer}” but the ${kind} message offers [${actions.join(', ')}]: “${message}”`,
      });
      this.failures.push(failure);
      throw failure;
    }
    return step.answer;
  }

  /** Fails when a call was unexpected or a scripted step was never reached. */
  assertDone(): void {
    if (this.failures.length > 0) throw this.failures[0];
    assert.equal(
      this.script.length,
      0,
      `Scripted steps never reached: ${this.script.map((step) => step.kind).join(', ')}.\nShown:\n  ${this.shown.map(summarize).join('\n  ')}`,
    );
  }

  // Lookups for assertions ------------------------------------------------------------------------------

  ofKind<K extends Shown['kind']>(kind: K): Array<ShownOf<K>> {
    return this.shown.filter((shown) => shown.kind === kind) as Array<ShownOf<K>>;
  }

  /** The only prompt of this kind; fails when there were none or several. */
  only<K extends Shown['kind']>(kind: K): ShownOf<K> {
    const found = this.ofKind(kind);
    assert.equal(found.length, 1, `Expected exactly one ${kind}, got ${found.length}: ${this.shown.map(summarize).join('; ')}`);
    return found[0] as ShownOf<K>;
  }

  /** Every message (info, warn, error) shown, in order. */
  get messages(): ShownMessage[] {
    return this.shown.filter((shown): shown is ShownMessage => shown.kind === 'info' || shown.kind === 'warn' || shown.kind === 'error');
  }
}
