import type { ListPage } from '../interfaces/catalog.js';
import { compareKeys } from './byte-order.js';
import { encodeCursor, type CursorKey } from './cursor.js';
import type { EntryPredicate } from './list-filter.js';
import type { IndexedEntry } from './row.js';

/**
 * Index of the first entry strictly after `key` in a list sorted by (name, version): a binary
 * search of `sorted[from, to)`, which must hold that index (the whole list by default).
 */
export function startAfter(sorted: readonly IndexedEntry[], key: CursorKey, from = 0, to = sorted.length): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = sorted[middle] as IndexedEntry;
    if (compareKeys(entry.name, entry.version, key.name, key.version) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A page when every entry of the list matches: a plain slice. */
export function slicePage(sorted: readonly IndexedEntry[], start: number, limit: number): ListPage {
  const items = sorted.slice(start, start + limit);
  return start + limit < sorted.length ? withCursor(items) : { items };
}

/**
 * A page of the entries that pass `matches`, scanning forward from `start`. It reads one match
 * past the page to know whether a next page exists.
 */
export function scanPage(
  sorted: readonly IndexedEntry[],
  start: number,
  limit: number,
  matches: EntryPredicate,
): ListPage {
  const items: IndexedEntry[] = [];
  for (let i = start; i < sorted.length; i++) {
    if (!matches(i)) continue;
    if (items.length === limit) return withCursor(items);
    items.push(sorted[i] as IndexedEntry);
  }
  return { items };
}

function withCursor(items: readonly IndexedEntry[]): ListPage {
  const last = items[items.length - 1] as IndexedEntry;
  return { items, nextCursor: encodeCursor(last) };
}
