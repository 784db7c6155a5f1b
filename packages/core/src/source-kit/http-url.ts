import { ConfigError } from '../errors.js';

/**
 * Parses a configured http or https URL. Anything else is a `ConfigError` naming the setting
 * (`<what> is not a valid URL`, `<what> must be http or https, not ftp`); the value itself is
 * never quoted, as it may carry credentials.
 *
 * The URL is returned as parsed: what to do with userinfo, a query or a trailing slash is up to
 * the caller.
 *
 * @param text - The configured value.
 * @param what - How messages name the setting, e.g. `file source url`.
 * @throws {@link ConfigError} when `text` is not an absolute http(s) URL.
 */
export function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${what} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${what} must be http or https, not ${url.protocol.slice(0, -1)}`);
  }
  return url;
}
