import vscode = require('vscode');
import { type ApiKey } from './core/apiKey';
import {
  decideReminder,
  listOrganization,
  parseReminderRecord,
  recordReminder,
  reminderMessage,
  storableReminderRecord,
} from './core/expiry';
import { DeferredTask } from './core/deferredTask';
import { describeForLog, toFactifyError, type Logger } from './core/errors';
import { t } from './core/l10n';
import { type KeysStore, type LoadedKeys } from './core/keysStore';
import { settings } from './settings';
import { VIEW_ID } from './treeView';

/** Organization id → local day of its last reminder, in global state (shared by every window; not a secret). */
const REMINDER_RECORD_KEY = 'factify.expiryReminders.lastShown';

export interface ExpiryRemindersDeps {
  readonly store: KeysStore;
  readonly memento: vscode.Memento;
  readonly revealKey: (key: ApiKey) => Promise<void>;
  /** Shows a notification through the app's prompts (redacted; its text can never form a link). */
  readonly notify: (message: string, ...actions: string[]) => Promise<string | undefined>;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * `factify.expiryReminders`: when the view has loaded an organization's list, at most one notification a day
 * for it names the keys that expire soon. Only lists the view loaded count, so an organization the user never
 * opened is never reminded about; one notification at a time.
 */
export class ExpiryReminders implements vscode.Disposable {
  private showing = false;
  private checked: LoadedKeys | undefined;
  private readonly subscription: { dispose(): void };
  /** A notification shows nothing on the view's first page: the check waits until the view has built its rows. */
  private readonly later = new DeferredTask();

  constructor(private readonly deps: ExpiryRemindersDeps) {
    this.subscription = deps.store.onDidChange(() => {
      const loaded = deps.store.snapshot.loaded;
      if (loaded !== undefined && loaded !== this.checked) this.later.schedule(() => void this.check());
    });
  }

  private async check(): Promise<void> {
    const loaded = this.deps.store.snapshot.loaded;
    if (this.showing || !loaded || loaded === this.checked || !settings.expiryReminders()) return;
    this.checked = loaded;
    const organizationId = listOrganization(loaded.query.organizationId, loaded.keys);
    if (!organizationId) return;
    const nowMs = (this.deps.now ?? Date.now)();
    const warningDays = settings.expiryWarningDays();
    const record = parseReminderRecord(this.deps.memento.get(REMINDER_RECORD_KEY));
    const reminder = decideReminder(
      [{ organizationId, keys: loaded.keys }],
      { nowMs, utcOffsetMinutes: -new Date(nowMs).getTimezoneOffset() },
      warningDays,
      record,
    );
    if (!reminder) return;
    this.showing = true;
    try {
      // Recorded before it shows: another window, or a reload, must not remind again today.
      await this.deps.memento.update(REMINDER_RECORD_KEY, storableReminderRecord(recordReminder(record, reminder)));
      const showKeys = t('Show Keys');
      const choice = await this.deps.notify(reminderMessage(reminder, nowMs, warningDays, organizationId), showKeys);
      if (choice === showKeys && reminder.keys[0]) {
        await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
        await this.deps.revealKey(reminder.keys[0]);
      }
    } catch (thrown) {
      this.deps.log.error(`Expiry reminder failed: ${describeForLog(toFactifyError(thrown))}`);
    } finally {
      this.showing = false;
    }
    // A list that loaded while the notification was up (another organization) gets its turn now.
    void this.check();
  }

  dispose(): void {
    this.subscription.dispose();
    this.later.dispose();
  }
}
