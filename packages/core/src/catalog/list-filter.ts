import type { ListQuery } from '../interfaces/catalog.js';
import type { IndexedEntry } from './row.js';

/** A test one entry must pass to appear in a list page. */
export type EntryPredicate = (entry: IndexedEntry) => boolean;

/**
 * The row-by-row part of a list query: `search` (case-insensitive substring of name, title or
 * description), `updatedSince` (strictly after) and an exact `version`. Undefined when the query has
 * none, so the caller can slice instead of scanning. `version: latest` and `includeDeleted` are not
 * here: they choose which precomputed list is scanned.
 */
export function listPredicate(query: ListQuery): EntryPredicate | undefined {
  const tests: EntryPredicate[] = [];
  if (query.search !== undefined && query.search !== '') {
    const needle = query.search.toLowerCase();
    tests.push((entry) => entry.row.searchText.includes(needle));
  }
  if (query.updatedSince !== undefined) {
    const since = query.updatedSince;
    tests.push((entry) => entry.updatedAtMs > since);
  }
  if (query.version !== undefined && query.version !== 'latest') {
    const version = query.version;
    tests.push((entry) => entry.version === version);
  }
  if (tests.length === 0) return undefined;
  const [only] = tests;
  return tests.length === 1 && only !== undefined ? only : (entry) => tests.every((test) => test(entry));
}
