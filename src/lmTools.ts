import vscode = require('vscode');
import { AgentTools, FIND_LEAKED_KEYS_TOOL, LIST_KEYS_TOOL, REVOKE_KEY_TOOL, type LeakFindingsSource } from './core/agentTools';
import { t } from './core/l10n';
import { type Redactor } from './core/redact';
import { type AppContext } from './flows/context';

export interface AgentToolsShellDeps {
  readonly ctx: AppContext;
  readonly redactor: Redactor;
  /** Leak detection's findings; while it returns undefined the leak tool says leak detection is turned off. */
  readonly leaks?: () => LeakFindingsSource | undefined;
}

/**
 * Registers the language model tools contributed in package.json. Cheap: no request is made until an agent
 * (or another extension) invokes a tool.
 */
export function registerAgentTools({ ctx, redactor, leaks }: AgentToolsShellDeps): vscode.Disposable[] {
  const tools = new AgentTools({
    store: ctx.store,
    auth: async () => {
      await ctx.accounts.load();
      return ctx.store.currentAuth();
    },
    organizationLabel: (orgId) => {
      const label = ctx.accounts.label(orgId);
      return label === orgId ? undefined : label;
    },
    leaks: leaks ?? (() => undefined),
    redact: (text) => redactor.redact(text),
    now: Date.now,
    log: ctx.log,
  });
  // What a tool returns is read by the model and stays English; what VS Code shows the user while it runs is localized.
  const result = (text: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  return [
    vscode.lm.registerTool<unknown>(LIST_KEYS_TOOL, {
      prepareInvocation: () => ({ invocationMessage: t('Listing Factify API keys') }),
      invoke: async (options) => result(await tools.listKeys(options.input)),
    }),
    vscode.lm.registerTool<unknown>(FIND_LEAKED_KEYS_TOOL, {
      prepareInvocation: () => ({ invocationMessage: t('Looking up Factify tokens found in the workspace') }),
      invoke: async (options) => result(await tools.findLeakedKeys(options.input)),
    }),
    vscode.lm.registerTool<unknown>(REVOKE_KEY_TOOL, {
      async prepareInvocation(options) {
        const prepared = await tools.prepareRevoke(options.input);
        if (prepared.kind === 'refused') return { invocationMessage: prepared.invocationMessage };
        // Untrusted values are escaped in the Markdown, and the string is neither trusted nor allowed HTML or icons.
        const message = new vscode.MarkdownString(prepared.confirmation.markdown, false);
        message.isTrusted = false;
        message.supportHtml = false;
        return {
          invocationMessage: prepared.invocationMessage,
          confirmationMessages: { title: prepared.confirmation.title, message },
        };
      },
      invoke: async (options, token) => result(await tools.revoke(options.input, () => token.isCancellationRequested)),
    }),
  ];
}
