import { describeNetworkFailure, SourceError } from '@thv/registry-core';

/** Codes of isomorphic-git errors that come from the remote or the network, not from local objects. */
const REMOTE_ERROR_CODES = new Set([
  'HttpError',
  'UserCanceledError',
  'SmartHttpError',
  'RemoteCapabilityError',
  'UrlParseError',
  'UnknownTransportError',
]);

/** Node error codes of a failed connection. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ABORT_ERR',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True for a failure of the remote or of the network (as opposed to reading local objects). */
export function isRemoteFailure(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && (REMOTE_ERROR_CODES.has(code) || NETWORK_ERROR_CODES.has(code));
}

/** True for a failed connection (refused, reset, unknown host, TLS …). */
export function isNetworkFailure(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && NETWORK_ERROR_CODES.has(code);
}

/** True when the remote refused the credentials or asked for some. */
export function isAuthFailure(err: unknown): boolean {
  const code = codeOf(err);
  if (code === 'UserCanceledError') return true;
  const status = (err as { data?: { statusCode?: unknown } }).data?.statusCode;
  return code === 'HttpError' && (status === 401 || status === 403);
}

/** Words what is known about a repository's access. */
export interface FailureContext {
  /** The repository as shown: URL without credentials, or a path. */
  display: string;
  /** A remote repository (fetched) rather than a local one (read). */
  remote: boolean;
  /** Where the credentials come from, when there are any. */
  credentialsFrom?: 'git.auth' | 'url';
}

/**
 * A `SourceError` for a failure isomorphic-git or the network raised. Messages name the
 * repository without credentials and never contain the password.
 */
export function describeFailure(err: unknown, context: FailureContext): SourceError {
  const { display } = context;
  const cause = { cause: err };
  const code = codeOf(err);
  if (isAuthFailure(err)) {
    if (context.credentialsFrom === undefined) {
      return new SourceError(`authentication refused for ${display}: the repository may be private (configure git.auth)`, cause);
    }
    const check = context.credentialsFrom === 'url' ? 'the credentials in the repository URL' : 'git.auth';
    return new SourceError(`authentication refused for ${display} (check ${check})`, cause);
  }
  if (code === 'HttpError') {
    const { statusCode, statusMessage } = (err as { data: { statusCode: number; statusMessage?: string } }).data;
    if (statusCode === 404) return new SourceError(`repository not found: ${display}`, cause);
    return new SourceError(`HTTP ${`${statusCode} ${statusMessage ?? ''}`.trim()} from ${display}`, cause);
  }
  if (code === 'SmartHttpError') {
    return new SourceError(`${display} did not answer as a git server (is it the URL of a git repository?)`, cause);
  }
  if (isNetworkFailure(err) || isNetworkFailure((err as { cause?: unknown }).cause)) {
    return new SourceError(`${describeNetworkFailure(err)} fetching ${display}`, cause);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new SourceError(`could not ${context.remote ? 'fetch' : 'read'} ${display}: ${message}`, cause);
}
