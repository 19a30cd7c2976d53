import { type FactifyError } from '../core/errors';
import { offerNewToken } from './account';
import { type AppContext } from './context';
import { offerSwitchBack } from './switchOrganization';

/**
 * After a list failed: the way out — a new token after a 401, the token's own
 * organization after a 403 under an override. Returns false when there is none to offer.
 */
export async function offerRecovery(ctx: AppContext, error: FactifyError): Promise<boolean> {
  if (error.kind === 'unauthorized') {
    await offerNewToken(ctx, error.message);
    return true;
  }
  if (error.kind === 'forbidden' && ctx.organizations.current) {
    await offerSwitchBack(ctx, error.message);
    return true;
  }
  return false;
}
