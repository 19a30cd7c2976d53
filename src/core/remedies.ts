/**
 * What to offer after an error, in one table: the rows under the view's message when a list failed, and the
 * buttons on a notification about an error. The shell and the flows only carry out the remedy chosen.
 */
import { type FactifyErrorKind } from './errors';
import { t } from './l10n';

export type Remedy = 'setToken' | 'switchBack' | 'switchOrganization' | 'openSettings' | 'refresh' | 'showLog';

/** The remedies the view offers as rows under its message. */
export type RowRemedy = Exclude<Remedy, 'switchBack'>;

/** The remedies a notification can carry out without the VS Code shell. */
export type NotificationRemedy = Extract<Remedy, 'setToken' | 'switchBack' | 'showLog'>;

/** The rows' and buttons' labels, in the display language whenever they are read. */
export const REMEDY_LABELS: Readonly<Record<Remedy, string>> = {
  get setToken() {
    return t('Set API Token…');
  },
  get switchBack() {
    return t('Switch Back');
  },
  get switchOrganization() {
    return t('Switch Organization…');
  },
  get openSettings() {
    return t('Open Factify Settings');
  },
  get refresh() {
    return t('Refresh');
  },
  get showLog() {
    return t('Show Log');
  },
};

interface KindRemedies {
  /** Rows in the view, between Refresh (always first) and Show Log (always last). */
  readonly rows: readonly RowRemedy[];
  /** Buttons on a notification, with the token's own organization. */
  readonly buttons: readonly NotificationRemedy[];
  /** Buttons on a notification while an organization override is active, when they differ. */
  readonly buttonsUnderOverride?: readonly NotificationRemedy[];
}

const NONE: KindRemedies = { rows: [], buttons: [] };
/** Settings decide where requests go and how: the API URL, the proxy, the certificates, the timeout. */
const SETTINGS: KindRemedies = { rows: ['openSettings'], buttons: [] };

const BY_KIND: Readonly<Record<FactifyErrorKind, KindRemedies>> = {
  invalidConfig: SETTINGS,
  badRequest: NONE,
  unauthorized: { rows: ['setToken'], buttons: ['setToken'] },
  forbidden: { rows: ['switchOrganization'], buttons: [], buttonsUnderOverride: ['switchBack'] },
  notFound: { rows: ['switchOrganization'], buttons: [] },
  conflict: NONE,
  rateLimited: NONE,
  server: NONE,
  redirect: SETTINGS,
  invalidResponse: SETTINGS,
  timeout: SETTINGS,
  cancelled: NONE,
  notSent: NONE,
  network: SETTINGS,
  tls: SETTINGS,
  internal: NONE,
};

export interface RemedyInput {
  readonly kind: FactifyErrorKind;
  readonly message: string;
}

/** Whether a message sends the reader to the log ("details are in the log", "see the log"). */
export function pointsToLog(message: string): boolean {
  if (/\bthe log\b|Show Log/i.test(message)) return true;
  // A translated message names the log in its own words (German: "Protokoll"): the word, as translated.
  const word = t('the log');
  return word !== 'the log' && message.toLowerCase().includes(word.toLowerCase());
}

/**
 * The rows the view offers when an error left it without keys: Refresh, the error's own fix, Switch
 * Organization… while acting as another organization, and Show Log.
 */
export function viewRemedies(error: RemedyInput | undefined, overrideActive: boolean): RowRemedy[] {
  const rows: RowRemedy[] = ['refresh', ...(error ? BY_KIND[error.kind].rows : [])];
  if (overrideActive && !rows.includes('switchOrganization')) rows.push('switchOrganization');
  const order: readonly RowRemedy[] = ['refresh', 'setToken', 'switchOrganization', 'openSettings'];
  return [...rows.sort((a, b) => order.indexOf(a) - order.indexOf(b)), 'showLog'];
}

/** The buttons on a notification showing this error (or a message about it): the fix, and Show Log where the message points there. */
export function notificationRemedies(error: RemedyInput, overrideActive: boolean, message = error.message): NotificationRemedy[] {
  const entry = BY_KIND[error.kind];
  const buttons = [...((overrideActive && entry.buttonsUnderOverride) || entry.buttons)];
  if (pointsToLog(message)) buttons.push('showLog');
  return buttons;
}

/** Whether an error has a fix to offer beyond the log (a new token, the way back). */
export function hasFix(error: RemedyInput, overrideActive: boolean): boolean {
  return notificationRemedies(error, overrideActive).some((remedy) => remedy !== 'showLog');
}
