import type { ErrorDetail } from '../errors.js';
import type { ServerConfig } from '../interfaces/config.js';

/** Where the server listens when neither the config nor `--address` says. */
export const DEFAULT_ADDRESS = ':8080';

/** Host bound when an address gives only a port, as Go's `:8080` does. */
const ANY_HOST = '0.0.0.0';

// host:port, :port or [ipv6]:port; the host has no spaces, colons or brackets unless bracketed.
const ADDRESS = /^(?:\[([^\]\s]+)\]|([^\s:[\]]*)):(\d{1,5})$/;

/**
 * Parses a listen address in Go's form: `host:port`, `:port` (all interfaces) or `[::1]:port`.
 * The port is 0..65535 (0 picks a free one). Returns undefined when the text is not such an
 * address, so the caller can name the field or flag it came from.
 */
export function parseAddress(text: string): { host: string; port: number } | undefined {
  const match = ADDRESS.exec(text);
  if (match === null) return undefined;
  const [, bracketed, plain, digits] = match;
  const port = Number(digits);
  if (port > 65535) return undefined;
  return { host: bracketed ?? (plain || ANY_HOST), port };
}

/**
 * The `server:` block with its defaults (address `:8080`, `waitForDatabase` true), recording a
 * problem when the address is bad.
 */
export function buildServer(server: { address?: string; waitForDatabase?: boolean } | undefined, issues: ErrorDetail[]): ServerConfig {
  const text = server?.address ?? DEFAULT_ADDRESS;
  const waitForDatabase = server?.waitForDatabase ?? true;
  const parsed = parseAddress(text);
  if (parsed === undefined) {
    issues.push({
      path: 'server.address',
      message: `must be host:port, :port or [ipv6]:port with a port from 0 to 65535 (got ${JSON.stringify(text)})`,
    });
    return { address: text, host: ANY_HOST, port: 0, waitForDatabase };
  }
  return { address: text, ...parsed, waitForDatabase };
}
