/** Typed errors with a short message a person can act on. Technical detail goes to the log, not the message. */
import { t } from './l10n';

export type FactifyErrorKind =
  | 'invalidConfig' // a setting we refuse to send the token with
  | 'badRequest' // 400 and other unexpected 4xx
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'notFound' // 404
  | 'conflict' // 409
  | 'rateLimited' // 429
  | 'server' // 5xx
  | 'redirect' // 3xx: never followed
  | 'invalidResponse' // not the JSON the contract promises
  | 'timeout' // the whole-request deadline passed
  | 'cancelled' // we aborted it (organization switched, window closing)
  | 'notSent' // stopped before it went out: the organization or token changed since the user confirmed
  | 'network' // no connection, reset, DNS
  | 'tls' // certificate or TLS handshake failure
  | 'internal'; // a bug of ours: details go to the log

/** The members of an RFC 9457 problem details body that were present with the right types. */
export interface ProblemDetails {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
}

export class FactifyError extends Error {
  override readonly name = 'FactifyError';

  constructor(
    readonly kind: FactifyErrorKind,
    message: string,
    readonly extra: {
      readonly status?: number;
      readonly problem?: ProblemDetails;
      /** For the log only: error codes and the like. Never holds the token. */
      readonly logDetail?: string;
      readonly retryAfterMs?: number;
    } = {},
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.extra.status;
  }
}

/** Anything thrown as a FactifyError; unknown errors get a generic message and keep their text for the log. */
export function toFactifyError(error: unknown): FactifyError {
  if (error instanceof FactifyError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
  return new FactifyError('internal', t('Something unexpected went wrong. Details are in the log (“Factify: Show Log”).'), {
    logDetail: detail,
  });
}

/** Where every part of the extension writes; the shell's implementation redacts secrets at one choke point. */
export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Brings the log into view, where the shell has one to show. */
  show?(): void;
}

/** A log line for an error: its message plus the technical detail, never shown to the user as is. */
export function describeForLog(error: FactifyError): string {
  const status = error.status === undefined ? '' : ` status=${error.status}`;
  return `${error.kind}${status}: ${error.message}${error.extra.logDetail ? ` [${error.extra.logDetail}]` : ''}`;
}
