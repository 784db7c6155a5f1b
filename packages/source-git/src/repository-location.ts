import { fileURLToPath } from 'node:url';
import { ConfigError, parseHttpUrl } from '@thv/registry-core';
import type { Credentials } from './credentials.js';

/** Where the repository is: a remote reached over smart HTTP, or a repository on local disk. */
export type RepositoryLocation =
  | {
      readonly kind: 'remote';
      /** The URL without userinfo: what is fetched, stored in the cache and shown. */
      readonly url: string;
      /** Credentials that were embedded in the URL, if any. */
      readonly urlCredentials?: Credentials;
    }
  | { readonly kind: 'local'; readonly path: string };

const HTTP_URL = /^https?:\/\//i;
const ANY_URL = /^([a-z][a-z0-9+.-]*):\/\//i;
// scp-like ssh syntax: user@host:path
const SCP_LIKE = /^[^/\\]+@[^/\\]+:/;

/**
 * Parses the `repository` field. http(s) URLs are remote (userinfo is moved out of the URL);
 * `file://` URLs and plain paths are local, resolved with `resolvePath` (relative to the config
 * file). ssh and other transports are a `ConfigError`.
 */
export function parseRepository(text: string, resolvePath: (path: string) => string): RepositoryLocation {
  if (HTTP_URL.test(text)) return parseRemote(text);
  const scheme = ANY_URL.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    try {
      return { kind: 'local', path: fileURLToPath(text) };
    } catch {
      throw new ConfigError('git source repository is not a valid file:// URL');
    }
  }
  if (scheme !== undefined || SCP_LIKE.test(text)) {
    const transport = scheme ?? 'ssh';
    throw new ConfigError(
      `git source repository uses ${transport}, which is not supported: ` +
        'use an https:// URL (with git.auth for a private repository) or a local path',
    );
  }
  return { kind: 'local', path: resolvePath(text) };
}

function parseRemote(text: string): RepositoryLocation {
  const url = parseHttpUrl(text, 'git source repository');
  if (url.hostname === '') throw new ConfigError('git source repository URL has no host');
  // isomorphic-git appends /info/refs: a trailing slash would double it.
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.hash = '';
  const credentials =
    url.username === '' && url.password === ''
      ? undefined
      : { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  url.username = '';
  url.password = '';
  const href = url.href.replace(/\/$/, '');
  return credentials === undefined ? { kind: 'remote', url: href } : { kind: 'remote', url: href, urlCredentials: credentials };
}
