import { parseHttpUrl } from '@thv/registry-core';

/** A URL split into what is fetched, what is shown and the credentials it carried. */
export interface RemoteUrl {
  /** The URL without userinfo: fetch refuses URLs with credentials, and this one is safe to show. */
  readonly href: string;
  /** `Basic …` header value when the URL carried `user:password@`. */
  readonly authorization?: string;
}

/** Parses an http(s) URL, moving embedded credentials into a basic auth header. */
export function parseRemoteUrl(text: string): RemoteUrl {
  const url = parseHttpUrl(text, 'file source url');
  if (url.username === '' && url.password === '') return { href: url.href };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { href: url.href, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}
