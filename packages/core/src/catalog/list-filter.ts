import type { ListQuery } from '../interfaces/catalog.js';
import type { IndexedEntry } from './row.js';

/** A list in (name, version) byte order, with each entry's search text at the same index. */
export interface SortedList {
  readonly entries: readonly IndexedEntry[];
  /**
   * `entries[i].row.searchText`, kept beside the entries so a search reads one array and the
   * texts, not every entry and row object on its way.
   */
  readonly texts: readonly string[];
}

/** A test the entry at one index of a {@link SortedList} must pass to appear in a list page. */
export type EntryPredicate = (index: number) => boolean;

/**
 * The row-by-row part of a list query: `search` (case-insensitive substring of name, title or
 * description), `updatedSince` (strictly after) and an exact `version`. Undefined when the query has
 * none, so the caller can slice instead of scanning. `version: latest` and `includeDeleted` are not
 * here: they choose which precomputed list is scanned.
 */
export function listPredicate(query: ListQuery, list: SortedList): EntryPredicate | undefined {
  const { entries, texts } = list;
  const tests: EntryPredicate[] = [];
  if (query.search !== undefined && query.search !== '') {
    const needle = query.search.toLowerCase();
    // The versions of a server are next to each other in the list and nearly always share their
    // name, title and description (and then one string, see Catalog): a text equal to the
    // previous one has the previous answer.
    let lastText: string | undefined;
    let lastMatch = false;
    tests.push((i) => {
      const text = texts[i] as string;
      if (text !== lastText) {
        lastText = text;
        lastMatch = text.includes(needle);
      }
      return lastMatch;
    });
  }
  if (query.updatedSince !== undefined) {
    const since = query.updatedSince;
    tests.push((i) => (entries[i] as IndexedEntry).updatedAtMs > since);
  }
  if (query.version !== undefined && query.version !== 'latest') {
    const version = query.version;
    tests.push((i) => (entries[i] as IndexedEntry).version === version);
  }
  if (tests.length === 0) return undefined;
  const [only] = tests;
  return tests.length === 1 && only !== undefined ? only : (i) => tests.every((test) => test(i));
}
