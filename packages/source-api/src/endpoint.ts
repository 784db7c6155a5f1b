import { ConfigError, parseHttpUrl } from '@thv/registry-core';

/**
 * Normalises the configured `endpoint` into a base URL without a trailing slash, to which the API
 * paths (`/v0.1/servers`) are appended. A path prefix is kept (`https://host/registry/team` for a
 * registry served under a prefix); credentials, a query and a fragment are refused.
 */
export function parseEndpoint(text: string): string {
  const url = parseHttpUrl(text, 'api source endpoint');
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('api source endpoint must not carry credentials; send them with headers (Authorization)');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError('api source endpoint must be a base URL without a query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Checks the configured headers (names and values fetch accepts) and returns them as a plain
 * object. An error names the header, never its value.
 */
export function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    try {
      new Headers([[name, value]]);
    } catch {
      throw new ConfigError(`api source header "${safeName(name)}" has an invalid name or value`);
    }
    checked[name] = value;
  }
  return checked;
}

// A name with control characters could break a log line; show it escaped.
function safeName(name: string): string {
  return JSON.stringify(name).slice(1, -1);
}
