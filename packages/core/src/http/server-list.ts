import type { CatalogEntry } from '../interfaces/catalog.js';

/**
 * The official list body, `{"servers":[…],"metadata":{"count":N,"nextCursor"?:…}}`, joined from
 * the entries' precomputed JSON so no entry is serialised again per request.
 */
export function serverListJson(entries: readonly CatalogEntry[], nextCursor?: string): string {
  const cursor = nextCursor === undefined ? '' : `,"nextCursor":${JSON.stringify(nextCursor)}`;
  return `{"servers":[${joinEntries(entries)}],"metadata":{"count":${entries.length}${cursor}}}`;
}

/** The body of the original server's `GET /api/v0/servers`: `{"servers":[…],"total":N}`. */
export function compatServerListJson(entries: readonly CatalogEntry[]): string {
  return `{"servers":[${joinEntries(entries)}],"total":${entries.length}}`;
}

function joinEntries(entries: readonly CatalogEntry[]): string {
  return entries.map((entry) => entry.json).join(',');
}
