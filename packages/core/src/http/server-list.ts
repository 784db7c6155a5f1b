import { entryBytes } from '../catalog/row.js';
import type { CatalogEntry } from '../interfaces/catalog.js';

/**
 * The official list body, `{"servers":[…],"metadata":{"count":N,"nextCursor"?:…}}`, joined from
 * the entries' precomputed JSON so no entry is serialised again per request.
 */
export function serverListJson(entries: readonly CatalogEntry[], nextCursor?: string): string {
  return serverListBody(entries, nextCursor).toString('utf8');
}

/**
 * {@link serverListJson} as the bytes the routes send: the entries' precomputed UTF-8 copied once
 * into one buffer. A string body would be flattened, measured and encoded again on every response,
 * which costs more than the copy for pages of 30 to 100 entries.
 */
export function serverListBody(entries: readonly CatalogEntry[], nextCursor?: string): Buffer {
  const cursor = nextCursor === undefined ? '' : `,"nextCursor":${JSON.stringify(nextCursor)}`;
  return joinEntries(SERVERS_OPEN, entries, `],"metadata":{"count":${entries.length}${cursor}}}`);
}

/** The body of the original server's `GET /api/v0/servers`: `{"servers":[…],"total":N}`. */
export function compatServerListBody(entries: readonly CatalogEntry[]): Buffer {
  return joinEntries(SERVERS_OPEN, entries, `],"total":${entries.length}}`);
}

const SERVERS_OPEN = Buffer.from('{"servers":[');
const COMMA = 0x2c;

function joinEntries(open: Buffer, entries: readonly CatalogEntry[], close: string): Buffer {
  const parts = entries.map(entryBytes);
  let length = open.length + Buffer.byteLength(close) + Math.max(parts.length - 1, 0);
  for (const part of parts) length += part.length;
  const body = Buffer.allocUnsafe(length);
  let at = open.copy(body, 0);
  for (const [i, part] of parts.entries()) {
    if (i > 0) body[at++] = COMMA;
    at += part.copy(body, at);
  }
  body.write(close, at, 'utf8');
  return body;
}
