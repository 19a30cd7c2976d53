/** Notifications about an error, with the buttons the remedy table gives it, and what each button does. */
import { type FactifyError } from '../core/errors';
import { notificationRemedies, hasFix, REMEDY_LABELS, type NotificationRemedy, type RemedyInput } from '../core/remedies';
import { signIn } from './account';
import { type AppContext } from './context';
import { selectOrganization } from './organization';

/**
 * After a list failed: the way out — a new token after a 401, the token's own
 * organization after a 403 under an override. Returns false when there is none to offer.
 */
export async function offerRecovery(ctx: AppContext, error: FactifyError): Promise<boolean> {
  if (!hasFix(error, ctx.organizations.current !== undefined)) return false;
  await notifyError(ctx, error);
  return true;
}

/**
 * Shows an error (or `message`, a text about it) with the table's buttons, and carries out the one chosen.
 * A 401 and anything without a fix is an error; a refusal with a way back is a warning.
 */
export async function notifyError(
  ctx: AppContext,
  error: RemedyInput,
  message = error.message,
  severity: 'error' | 'warn' = error.kind === 'forbidden' && ctx.organizations.current ? 'warn' : 'error',
): Promise<void> {
  await notify(ctx, severity, message, notificationRemedies(error, ctx.organizations.current !== undefined, message));
}

/** Shows a message with these remedies as buttons, and carries out the one chosen. */
export async function notify(
  ctx: AppContext,
  severity: 'info' | 'warn' | 'error',
  message: string,
  remedies: readonly NotificationRemedy[],
): Promise<void> {
  const chosen = await ctx.prompts[severity](message, ...remedies.map((remedy) => REMEDY_LABELS[remedy]));
  const remedy = remedies.find((candidate) => REMEDY_LABELS[candidate] === chosen);
  if (remedy) await carryOut(ctx, remedy);
}

async function carryOut(ctx: AppContext, remedy: NotificationRemedy): Promise<void> {
  if (remedy === 'setToken') await signIn(ctx);
  else if (remedy === 'switchBack') await selectOrganization(ctx, undefined);
  else ctx.log.show?.();
}
