import { StorageError, StorageUnavailableError } from '@thv/registry-core';

/** Where a connection goes, for messages: `PostgreSQL at db.example.com:5432 as thv_user`. */
export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
}

/** System error codes with a well-known wording. */
const SYSTEM_WORDING = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ENOTFOUND', 'host not found'],
  ['EAI_AGAIN', 'host not found'],
  ['ETIMEDOUT', 'connection timed out'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection reset'],
]);

/** Messages node-postgres uses when a connection fails or goes away. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/i,
  /^timeout expired/i,
  /^timeout exceeded when trying to connect/i,
  /^Query read timeout/i,
  /not queryable/i,
  /^The server does not support SSL connections/i,
  /^Client was closed/i,
  /^Cannot use a pool after calling end/i,
];

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/**
 * True when `error` means the database cannot be reached or the connection went away (as opposed
 * to a statement the server refused): network errors, SQLSTATE class 08 (connection exception),
 * 57P01–57P03 (server shutting down or starting), 53300 (too many connections), class 28
 * (authentication) and 3D000 (no such database).
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const code = codeOf(error);
  if (code !== undefined) {
    if (SYSTEM_WORDING.has(code) || code.startsWith('08') || code.startsWith('28')) return true;
    if (['57P01', '57P02', '57P03', '53300', '3D000'].includes(code)) return true;
  }
  const message = messageOf(error);
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * Why a connection failed, in words: `connection refused`, `host not found`, `connection timed
 * out`, or the server's own message (`password authentication failed for user "x"`).
 */
export function connectionReason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return connectionReason(error.errors[0]);
  const wording = SYSTEM_WORDING.get(codeOf(error) ?? '');
  if (wording !== undefined) return wording;
  const message = messageOf(error);
  if (/^Query read timeout/i.test(message)) return 'the server did not answer in time';
  if (/timeout/i.test(message)) return 'connection timed out';
  if (/^Connection terminated unexpectedly/i.test(message)) return 'the server closed the connection';
  return message;
}

/** `PostgreSQL at host:port as user`. */
export function describeTarget(target: ConnectionTarget): string {
  return `PostgreSQL at ${target.host}:${target.port} as ${target.user}`;
}

/** Replaces every known secret in `text` by `***` (defence in depth: messages never carry one). */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 3) result = result.split(secret).join('***');
  }
  return result;
}

/** SQLSTATE of a statement cancelled by `statement_timeout` (or by an operator). */
const QUERY_CANCELED = '57014';

/**
 * The error for a connection that could not be opened: a `StorageUnavailableError`, since the
 * server may be back later. A `StorageError` passes through.
 */
export function connectError(error: unknown, target: ConnectionTarget, secrets: Iterable<string> = []): StorageError {
  if (error instanceof StorageError) return error;
  return new StorageUnavailableError(redact(`cannot connect to ${describeTarget(target)}: ${connectionReason(error)}`, secrets), {
    cause: error,
  });
}

/**
 * The error for a statement that failed while `action` ran (`committing registry "x"`): a lost
 * connection or a statement cancelled for taking too long says so (`StorageUnavailableError`:
 * worth retrying soon); a refused statement quotes the server's message and SQLSTATE.
 */
export function queryError(error: unknown, action: string, target: ConnectionTarget, secrets: Iterable<string> = []): StorageError {
  if (error instanceof StorageError) return error;
  const code = codeOf(error);
  if (isConnectionError(error)) {
    const message = `lost the connection to ${describeTarget(target)} while ${action}: ${connectionReason(error)}`;
    return new StorageUnavailableError(redact(message, secrets), { cause: error });
  }
  if (code === QUERY_CANCELED) {
    const message = `${describeTarget(target)} cancelled ${action}: ${messageOf(error)} (SQLSTATE ${code})`;
    return new StorageUnavailableError(redact(message, secrets), { cause: error });
  }
  const sqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
  return new StorageError(redact(`PostgreSQL refused ${action}: ${messageOf(error)}${sqlState}`, secrets), { cause: error });
}
