'use strict';
/**
 * The thinnest stand-in for the `vscode` module that the extension's `activate()` and a refresh need, for the
 * benchmark's Node workers. `install()` registers it under the name `vscode` (Module._resolveFilename plus a
 * require.cache entry), so the production bundle's `require("vscode")` gets it, and returns handles the
 * worker drives: the registered commands, the tree view (which asks for children the way VS Code does once
 * the provider fires), and the members the extension touched that this stand-in does not provide.
 *
 * Only what src/*.ts uses is here. Anything else the extension touches in a namespace (window, commands,
 * workspace, env) is answered by a no-op and recorded in `missing`, so a new API call shows up in the bench
 * output instead of crashing it; a new top-level class or enum fails activation with a TypeError.
 */
const Module = require('node:module');
const path = require('node:path');

const STUB_FILENAME = path.join(__dirname, '__vscode_stand_in__.js');

function noopDisposable() {
  return { dispose() {} };
}

/** A universal no-op for members the stand-in does not know: callable, and returns a disposable. */
function makeMissing(missing, name) {
  missing.add(name);
  const fn = function () {
    return noopDisposable();
  };
  return fn;
}

/** Namespaces answer unknown members with a recorded no-op instead of `undefined`. */
function tolerant(name, target, missing) {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop in obj || typeof prop === 'symbol' || prop === 'then' || prop === 'default' || prop.startsWith('__')) {
        return Reflect.get(obj, prop, receiver);
      }
      return makeMissing(missing, `${name}.${String(prop)}`);
    },
  });
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const bound = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(bound);
      const disposable = { dispose: () => this._listeners.delete(bound) };
      if (Array.isArray(disposables)) disposables.push(disposable);
      return disposable;
    };
  }
  fire(value) {
    for (const listener of [...this._listeners]) listener(value);
  }
  dispose() {
    this._listeners.clear();
  }
}

class Disposable {
  constructor(callOnDispose) {
    this._callOnDispose = callOnDispose;
  }
  static from(...disposables) {
    return new Disposable(() => disposables.forEach((d) => d && d.dispose()));
  }
  dispose() {
    if (this._callOnDispose) this._callOnDispose();
    this._callOnDispose = undefined;
  }
}

class ThemeColor {
  constructor(id) {
    this.id = id;
  }
}

class ThemeIcon {
  constructor(id, color) {
    this.id = id;
    this.color = color;
  }
}

class TreeItem {
  constructor(label, collapsibleState) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}

class MarkdownString {
  constructor(value = '', supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendText(text) {
    this.value += text;
    return this;
  }
  appendMarkdown(text) {
    this.value += text;
    return this;
  }
}

const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };

/**
 * What VS Code does with a tree view once its provider fires: asks for the root's children, then for the
 * children of every expanded node, and turns each into a TreeItem. Done asynchronously (in VS Code it is an
 * RPC round trip from the workbench), one render at a time; a fire during a render schedules another.
 */
function createTreeViewStandIn(id, options, hooks) {
  const provider = options.treeDataProvider;
  const visibility = new EventEmitter();
  const selectionChanged = new EventEmitter();
  const state = { shown: false, rendering: false, again: false, renders: 0, fires: 0, last: undefined };
  const view = {
    id,
    visible: false,
    selection: [],
    message: undefined,
    description: undefined,
    title: undefined,
    badge: undefined,
    onDidChangeVisibility: visibility.event,
    onDidChangeSelection: selectionChanged.event,
    onDidExpandElement: new EventEmitter().event,
    onDidCollapseElement: new EventEmitter().event,
    onDidChangeCheckboxState: new EventEmitter().event,
    reveal: async () => undefined,
    dispose() {
      subscription?.dispose();
    },
  };

  async function renderOnce() {
    const started = performance.now();
    const firesAtStart = state.fires;
    const roots = (await provider.getChildren(undefined)) ?? [];
    let items = 0;
    let keyRows = 0;
    const expanded = [];
    for (const node of roots) {
      const item = await provider.getTreeItem(node);
      items++;
      if (item.collapsibleState === TreeItemCollapsibleState.Expanded) expanded.push(node);
    }
    for (const parent of expanded) {
      const children = (await provider.getChildren(parent)) ?? [];
      for (const child of children) {
        const item = await provider.getTreeItem(child);
        items++;
        if (typeof item.contextValue === 'string' && item.contextValue.startsWith('apiKey.')) keyRows++;
      }
    }
    const at = performance.now();
    return { groups: roots.length, items, keyRows, firesAtStart, startedAt: started, renderMs: at - started, at };
  }

  function schedule() {
    if (!state.shown) return;
    if (state.rendering) {
      state.again = true;
      return;
    }
    state.rendering = true;
    setTimeout(async () => {
      try {
        do {
          state.again = false;
          const result = await renderOnce();
          state.renders++;
          state.last = result;
          hooks.onRender(result);
        } while (state.again);
      } catch (error) {
        hooks.onRenderError(error);
      } finally {
        state.rendering = false;
      }
    }, 0);
  }

  const subscription = provider.onDidChangeTreeData
    ? provider.onDidChangeTreeData(() => {
        state.fires++;
        schedule();
      })
    : undefined;
  return {
    view,
    state,
    /** The view becomes visible: VS Code then asks for the root's children. */
    show() {
      state.shown = true;
      view.visible = true;
      visibility.fire({ visible: true });
      schedule();
    },
  };
}

function createConfiguration(values, onUpdate) {
  return (section) => {
    const full = (key) => (section ? `${section}.${key}` : key);
    return {
      get(key, defaultValue) {
        const name = full(key);
        return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : defaultValue;
      },
      has(key) {
        return Object.prototype.hasOwnProperty.call(values, full(key));
      },
      inspect(key) {
        const name = full(key);
        return { key: name, globalValue: values[name], defaultValue: undefined };
      },
      async update(key, value) {
        values[full(key)] = value;
        onUpdate(full(key));
      },
    };
  };
}

function createMemento() {
  const data = new Map();
  return {
    get: (key, defaultValue) => (data.has(key) ? data.get(key) : defaultValue),
    update: async (key, value) => {
      if (value === undefined) data.delete(key);
      else data.set(key, value);
    },
    keys: () => [...data.keys()],
    setKeysForSync() {},
  };
}

/**
 * Registers the stand-in as `vscode`. `options.settings`: flat `section.key` values (e.g.
 * `factify.apiBaseUrl`); `options.token`: what SecretStorage holds for the extension; `options.globalStorage`:
 * the directory context.globalStorageUri names; `options.log`: a function receiving the extension's log lines
 * (default: dropped).
 */
function install(options = {}) {
  const missing = new Set();
  const commands = new Map();
  const settings = { ...(options.settings ?? {}) };
  const log = options.log ?? (() => {});
  const configurationChanged = new EventEmitter();
  const secretsChanged = new EventEmitter();
  const secretValues = new Map(options.token ? [['factify.apiToken', options.token]] : []);
  const renderListeners = new Set();
  const messages = [];
  const trees = [];

  const channel = (name) => ({
    name,
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter().event,
    trace: (m) => log('trace', m),
    debug: (m) => log('debug', m),
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
    append() {},
    appendLine: (m) => log('info', m),
    replace() {},
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  });

  const message = (level) => async (text) => {
    messages.push({ level, text });
    log(level, `[message] ${text}`);
    return undefined;
  };

  const window = tolerant(
    'window',
    {
      createOutputChannel: (name) => channel(name),
      createTreeView(id, viewOptions) {
        const tree = createTreeViewStandIn(id, viewOptions, {
          onRender: (result) => renderListeners.forEach((listener) => listener(result)),
          onRenderError: (error) => log('error', `[tree] render failed: ${error && error.stack ? error.stack : error}`),
        });
        trees.push(tree);
        return tree.view;
      },
      createStatusBarItem: (id, alignment, priority) => ({
        id,
        alignment,
        priority,
        name: undefined,
        text: '',
        tooltip: undefined,
        command: undefined,
        backgroundColor: undefined,
        show() {},
        hide() {},
        dispose() {},
      }),
      withProgress: async (_options, task) =>
        task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: () => noopDisposable() }),
      showInformationMessage: message('info'),
      showWarningMessage: message('warn'),
      showErrorMessage: message('error'),
      showInputBox: async () => undefined,
      showQuickPick: async () => undefined,
      setStatusBarMessage: () => noopDisposable(),
    },
    missing,
  );

  const api = {
    version: '1.96.0',
    window,
    commands: tolerant(
      'commands',
      {
        registerCommand(id, handler) {
          commands.set(id, handler);
          return { dispose: () => commands.delete(id) };
        },
        async executeCommand(id, ...args) {
          if (id === 'setContext') return undefined;
          const handler = commands.get(id);
          if (!handler) throw new Error(`command '${id}' not found`);
          return handler(...args);
        },
      },
      missing,
    ),
    workspace: tolerant(
      'workspace',
      {
        getConfiguration: createConfiguration(settings, (changed) =>
          configurationChanged.fire({ affectsConfiguration: (section) => changed === section || changed.startsWith(`${section}.`) }),
        ),
        onDidChangeConfiguration: configurationChanged.event,
        // Leak detection: no documents are open in the benchmark.
        textDocuments: [],
        createFileSystemWatcher: () => ({ onDidDelete: () => noopDisposable(), dispose() {} }),
        onDidOpenTextDocument: new EventEmitter().event,
        onDidChangeTextDocument: new EventEmitter().event,
        onDidCloseTextDocument: new EventEmitter().event,
        onDidSaveTextDocument: new EventEmitter().event,
      },
      missing,
    ),
    lm: tolerant('lm', { registerTool: () => noopDisposable() }, missing),
    // English: no bundle, as VS Code gives an extension in its default language.
    l10n: tolerant('l10n', { bundle: undefined, uri: undefined }, missing),
    languages: tolerant(
      'languages',
      {
        createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {} }),
        registerCodeActionsProvider: () => noopDisposable(),
      },
      missing,
    ),
    CodeActionKind: { QuickFix: 'quickfix' },
    authentication: tolerant(
      'authentication',
      {
        registerAuthenticationProvider: () => noopDisposable(),
      },
      missing,
    ),
    env: tolerant(
      'env',
      {
        clipboard: { readText: async () => '', writeText: async () => undefined },
        appName: 'bench stand-in',
        language: 'en',
      },
      missing,
    ),
    EventEmitter,
    Disposable,
    ThemeIcon,
    ThemeColor,
    TreeItem,
    MarkdownString,
    TreeItemCollapsibleState,
    StatusBarAlignment: { Left: 1, Right: 2 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  };
  // The module object itself stays plain: the tree's items read `vscode.TreeItem` and friends per row, and a
  // proxy there would be overhead the real module does not have. The namespaces answer unknown members.
  const exported = api;

  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if (request === 'vscode') return STUB_FILENAME;
    return resolve.call(this, request, parent, ...rest);
  };
  const stubModule = new Module(STUB_FILENAME, null);
  stubModule.filename = STUB_FILENAME;
  stubModule.loaded = true;
  stubModule.exports = exported;
  require.cache[STUB_FILENAME] = stubModule;

  /** The ExtensionContext members activate() reads. */
  const context = {
    subscriptions: [],
    extension: { id: 'factify.factify-api-keys', packageJSON: options.packageJSON ?? { version: '0.0.0' } },
    secrets: {
      get: async (key) => secretValues.get(key),
      store: async (key, value) => {
        secretValues.set(key, value);
        secretsChanged.fire({ key });
      },
      delete: async (key) => {
        secretValues.delete(key);
        secretsChanged.fire({ key });
      },
      onDidChange: secretsChanged.event,
    },
    globalState: createMemento(),
    workspaceState: createMemento(),
    // VS Code's per-extension directory, kept between starts (the HTTP stack's compiled code goes there).
    globalStorageUri: options.globalStorage
      ? { scheme: 'file', fsPath: options.globalStorage, path: options.globalStorage }
      : { scheme: 'memory', fsPath: '', path: '/' },
  };

  return {
    vscode: exported,
    context,
    commands,
    missing,
    messages,
    trees,
    onRender(listener) {
      renderListeners.add(listener);
      return { dispose: () => renderListeners.delete(listener) };
    },
  };
}

module.exports = { install, STUB_FILENAME };
