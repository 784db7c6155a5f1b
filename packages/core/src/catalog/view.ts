import { createHash } from 'node:crypto';
import type { CatalogView, ListPage, ListQuery } from '../interfaces/catalog.js';
import { decodeCursor, type CursorKey } from './cursor.js';
import { listPredicate, type SortedList } from './list-filter.js';
import { scanPage, slicePage, startAfter } from './page.js';
import { compareNewestFirst } from './recency.js';
import type { CatalogRow, IndexedEntry } from './row.js';

/** The versions of one server, precomputed for the versions and detail routes. */
interface ServerVersions {
  /** Every version, newest first. */
  readonly all: readonly IndexedEntry[];
  /** The non-deleted versions, newest first. */
  readonly visible: readonly IndexedEntry[];
  /** The newest non-deleted version, if any. */
  readonly latest: IndexedEntry | undefined;
  readonly byVersion: ReadonlyMap<string, IndexedEntry>;
}

/**
 * An immutable, precomputed view over rows: lists in (name, version) byte order for each kind of
 * list query, `isLatest` per server, the versions of each server newest first, and a generation
 * that is a hash of everything served. Built once per change so requests only slice or scan.
 */
export class View implements CatalogView {
  /**
   * A hash of what decides every served entry, deleted ones included (key, content hash, status,
   * instants, `isLatest`): it changes exactly when the content does, and equal content gives an
   * equal generation on every replica and after a restart, whatever key order storage kept.
   */
  readonly generation: string;
  /** Servers with at least one non-deleted version. */
  readonly serverCount: number;
  /** Non-deleted versions. */
  readonly versionCount: number;
  /** Every entry, deleted ones included, in key order. */
  readonly #all = newList();
  /** The non-deleted entries, in key order. */
  readonly #visible = newList();
  /** The latest entry of each server, in key order. */
  readonly #latest = newList();
  readonly #servers = new Map<string, ServerVersions>();

  /** @param rows sorted by (name, version) in byte order, each key once. */
  constructor(rows: readonly CatalogRow[]) {
    const hash = createHash('sha256');
    for (let start = 0; start < rows.length; ) {
      const name = (rows[start] as CatalogRow).name;
      let end = start + 1;
      while (end < rows.length && (rows[end] as CatalogRow).name === name) end++;
      const server = this.#addServer(name, rows.slice(start, end));
      for (const entry of server.all) hash.update(`${entry.name}\0${entry.version}\0${entry.isLatest}\0${entry.row.revision}\n`);
      start = end;
    }
    this.generation = hash.digest('base64url');
    this.serverCount = this.#latest.entries.length;
    this.versionCount = this.#visible.entries.length;
  }

  /** Indexes the rows of one server (in key order) and returns its versions. */
  #addServer(name: string, group: readonly CatalogRow[]): ServerVersions {
    const newest = [...group].sort(compareNewestFirst);
    // An upstream's own choice of latest is kept; the rule decides when there is none.
    const latestRow = newest.find((row) => !row.deleted && row.declaredLatest) ?? newest.find((row) => !row.deleted);
    const entryOf = (row: CatalogRow): IndexedEntry => row.entry(row === latestRow);
    for (const row of group) {
      const entry = entryOf(row);
      push(this.#all, entry);
      if (!row.deleted) push(this.#visible, entry);
      if (entry.isLatest) push(this.#latest, entry);
    }
    const all = newest.map(entryOf);
    const server: ServerVersions = {
      all,
      visible: all.filter((entry) => entry.status !== 'deleted'),
      latest: latestRow && entryOf(latestRow),
      byVersion: new Map(all.map((entry) => [entry.version, entry])),
    };
    this.#servers.set(name, server);
    return server;
  }

  list(query: ListQuery): ListPage {
    // `latest` entries are never deleted, so includeDeleted does not change that list.
    const list = query.version === 'latest' ? this.#latest : query.includeDeleted ? this.#all : this.#visible;
    const sorted = list.entries;
    // An empty cursor is treated as no cursor: the first page.
    const start = query.cursor ? this.#startAfter(list, decodeCursor(query.cursor)) : 0;
    const matches = listPredicate(query, list);
    return matches === undefined
      ? slicePage(sorted, start, query.limit)
      : scanPage(sorted, start, query.limit, matches);
  }

  /**
   * Where the page after `key` starts in `list`. While the cursor's server is listed, only its
   * versions are searched: a page is one map lookup away rather than a binary search of the whole
   * list, whose entries and names are scattered through the heap (one cache miss each).
   */
  #startAfter(list: GrowingList, key: CursorKey): number {
    const first = list.firstOf.get(key.name);
    if (first === undefined) return startAfter(list.entries, key);
    // A server has at most `all.length` entries in any of the lists.
    const versions = (this.#servers.get(key.name) as ServerVersions).all.length;
    return startAfter(list.entries, key, first, Math.min(first + versions, list.entries.length));
  }

  versions(name: string, includeDeleted: boolean): readonly IndexedEntry[] | undefined {
    const server = this.#servers.get(name);
    const versions = includeDeleted ? server?.all : server?.visible;
    return versions !== undefined && versions.length > 0 ? versions : undefined;
  }

  get(name: string, version: string, includeDeleted: boolean): IndexedEntry | undefined {
    const server = this.#servers.get(name);
    if (version === 'latest') return server?.latest;
    const entry = server?.byVersion.get(version);
    return entry !== undefined && (includeDeleted || entry.status !== 'deleted') ? entry : undefined;
  }
}

/** A {@link SortedList} being filled in key order. */
interface GrowingList extends SortedList {
  readonly entries: IndexedEntry[];
  readonly texts: string[];
  /** The index of each listed server's first entry. */
  readonly firstOf: Map<string, number>;
}

function newList(): GrowingList {
  return { entries: [], texts: [], firstOf: new Map() };
}

function push(list: GrowingList, entry: IndexedEntry): void {
  // Entries come in key order, so a server's first entry is one whose name differs from the last.
  if (list.entries.at(-1)?.name !== entry.name) list.firstOf.set(entry.name, list.entries.length);
  list.entries.push(entry);
  list.texts.push(entry.row.searchText);
}
