import type { CatalogEntry, CatalogView } from '../interfaces/catalog.js';
import type { ServerJSON } from '../interfaces/model.js';

/** A version that an export left out, and why. */
export interface ExportSkip {
  name: string;
  /** Absent when the whole server was left out. */
  version?: string;
  reason: string;
}

/** Page size used to read a whole view (the API's own maximum). */
const PAGE = 100;

/**
 * Every non-deleted entry of a view in (name, version) byte order, or only the latest version of
 * each server with `version: 'latest'`: read page by page through the view's own list.
 */
export function everyEntry(view: CatalogView, version?: 'latest'): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = view.list({ cursor, limit: PAGE, includeDeleted: false, ...(version === undefined ? {} : { version }) });
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return entries;
}

/** The server.json document of a served entry, read back from its precomputed JSON. */
export function serverOf(entry: CatalogEntry): ServerJSON {
  return (JSON.parse(entry.json) as { server: ServerJSON }).server;
}

/** An RFC 3339 instant in whole seconds (`2026-03-01T12:00:00Z`), as the registry files write it. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
