import { STATUS_CODES } from 'node:http';
import { describeNetworkFailure } from '@thv/registry-core';

/** Longest API server message quoted in a failure. */
const MAX_MESSAGE_LENGTH = 200;

/** Network error codes {@link describeNetworkFailure} words itself. */
const WORDED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

/**
 * Words what a request to the API server failed with, on one line, for a message such as
 * `cannot list … from https://host:6443: <cause>`:
 *
 * - an HTTP error (from the generated API, or a watch that did not start): `HTTP 403 Forbidden:
 *   <the Status message>`;
 * - a network failure: `connection refused`, `host not found`, `connection reset`, or
 *   `network error (<reason>)` (a TLS failure, a timeout …);
 * - anything else: its message.
 *
 * It never quotes request headers, so a bearer token cannot appear in it.
 */
export function describeKubeFailure(error: unknown): string {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const status = typeof record['code'] === 'number' ? record['code'] : record['statusCode'];
  if (typeof status === 'number') return httpFailure(status, statusMessage(record['body']));
  const code = typeof record['code'] === 'string' ? record['code'] : undefined;
  if (code !== undefined && WORDED_CODES.has(code)) return describeNetworkFailure(error);
  const message = oneLine(error instanceof Error ? error.message : String(error));
  // node-fetch words a system error `request to <url> failed, reason: <reason>`.
  const reason = /, reason: (.*)$/.exec(message)?.[1];
  if (reason !== undefined || record['type'] === 'system') return `network error (${reason ?? message})`;
  return message;
}

function httpFailure(status: number, message: string | undefined): string {
  const head = `HTTP ${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return message === undefined ? head : `${head}: ${message}`;
}

/** The `message` of a Kubernetes Status body (an object, or its JSON text). */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const message = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['message'] : undefined;
  return typeof message === 'string' && message.trim() !== '' ? oneLine(message) : undefined;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : line;
}
