/** Set API Token… and Sign Out (SPEC section 3). */
import { FactifyError, describeForLog, toFactifyError } from '../core/errors';
import { checkToken } from '../core/ids';
import { type AppContext } from './context';

export const SET_TOKEN_ACTION = 'Set API Token…';

export type SignInResult = 'cancelled' | 'rejected' | 'stored' | 'storedUnverified' | 'storeFailed';

export async function signIn(ctx: AppContext): Promise<SignInResult> {
  const input = await ctx.prompts.input({
    title: 'Factify: Set API Token',
    prompt: 'Paste a Factify API token (ffy_…). It is checked with Factify, then kept in VS Code’s secret storage only.',
    placeHolder: 'ffy_prod_…',
    password: true,
    validate: (value) => {
      const check = checkToken(value);
      return check.ok ? undefined : check.reason;
    },
  });
  if (input === undefined) return 'cancelled';
  const check = checkToken(input);
  if (!check.ok) {
    await ctx.prompts.error(check.reason);
    return 'rejected';
  }

  let verificationProblem: FactifyError | undefined;
  try {
    await ctx.prompts.progress('Checking the token with Factify…', () =>
      ctx.client().listKeys({ token: check.token, organizationId: undefined }, { includeRevoked: false }));
  } catch (thrown) {
    const error = toFactifyError(thrown);
    ctx.log.warn(`Token check failed: ${describeForLog(error)}`);
    if (error.kind === 'unauthorized') {
      await ctx.prompts.error('Factify did not accept this token (401), so it was not saved. Check that you copied the whole token and that it has not been revoked.');
      return 'rejected';
    }
    verificationProblem = error;
  }

  try {
    await ctx.tokens.store(check.token);
  } catch (thrown) {
    ctx.log.error(`Storing the token in SecretStorage failed: ${describeForLog(toFactifyError(thrown))}`);
    await ctx.prompts.error('VS Code could not save the token in the system keychain, so it was not saved (Factify never keeps it in plain text). Check that your OS keyring is unlocked, then try again.');
    return 'storeFailed';
  }
  ctx.log.info(verificationProblem ? 'Token stored without verification.' : 'Token verified and stored.');
  if (verificationProblem) {
    void ctx.prompts.warn(`The token was saved, but Factify could not be asked whether it is valid: ${verificationProblem.message}`);
    return 'storedUnverified';
  }
  void ctx.prompts.info('Factify API token saved. Your organization’s keys are loading.');
  return 'stored';
}

export async function signOut(ctx: AppContext): Promise<void> {
  try {
    await ctx.tokens.delete();
  } catch (thrown) {
    ctx.log.error(`Deleting the token from SecretStorage failed: ${describeForLog(toFactifyError(thrown))}`);
    await ctx.prompts.error('VS Code could not remove the token from the system keychain. Check that your OS keyring is unlocked, then try again.');
    return;
  }
  // The next token may belong to someone else: it must not silently act as another organization.
  if (ctx.organizations.current) await ctx.organizations.select(undefined);
  ctx.store.reset();
  ctx.log.info('Signed out; token deleted from SecretStorage.');
  void ctx.prompts.info('Signed out of Factify. The token was removed from VS Code’s secret storage.');
}

/** After a 401 anywhere: offer to replace the token. */
export async function offerNewToken(ctx: AppContext, message: string): Promise<void> {
  if ((await ctx.prompts.error(message, SET_TOKEN_ACTION)) === SET_TOKEN_ACTION) await signIn(ctx);
}
