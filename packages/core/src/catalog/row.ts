import semver from 'semver';
import type { CatalogEntry, CatalogView } from '../interfaces/catalog.js';
import {
  OFFICIAL_META_KEY,
  type OfficialMeta,
  type ServerStatus,
  type StoredEntry,
} from '../interfaces/model.js';
import type { RecencyKey } from './recency.js';

/** A served entry that also knows its row, for the list filters. */
export interface IndexedEntry extends CatalogEntry {
  readonly row: CatalogRow;
  /** {@link CatalogEntry.json} as UTF-8 bytes: what the HTTP layer writes, without encoding it per request. */
  readonly bytes: Buffer;
}

/**
 * The bytes of a served entry: kept with the entries of this catalog, encoded on each call for an
 * entry of another {@link CatalogView} implementation.
 */
export function entryBytes(entry: CatalogEntry): Buffer {
  return entry instanceof ServedEntry ? entry.bytes : Buffer.from(entry.json);
}

/**
 * An {@link IndexedEntry} whose JSON is made by its row when first asked for, and kept as bytes;
 * the text is decoded from them when asked.
 */
class ServedEntry implements IndexedEntry {
  readonly name: string;
  readonly version: string;
  readonly status: ServerStatus;
  readonly isLatest: boolean;
  readonly updatedAtMs: number;
  readonly row: CatalogRow;
  #bytes: Buffer | undefined;

  constructor(row: CatalogRow, isLatest: boolean) {
    this.name = row.name;
    this.version = row.version;
    this.status = row.status;
    this.isLatest = isLatest;
    this.updatedAtMs = row.updatedAtMs;
    this.row = row;
  }

  get bytes(): Buffer {
    return (this.#bytes ??= this.row.bytes(this.isLatest));
  }

  get json(): string {
    return this.bytes.toString('utf8');
  }
}

const OFFICIAL_KEY_JSON = JSON.stringify(OFFICIAL_META_KEY);

/**
 * One stored server version with everything a request needs worked out once: its key, parsed
 * version and instants, lowercase search text, and its response JSON. A row is shared by its
 * registry's view and the aggregated view, so an entry is serialised once for both unless they
 * disagree on `isLatest`.
 *
 * The JSON is made the first time the entry is served, not when the catalog is built: building
 * stays quick (a restart is ready sooner), and the stored entry is let go once its bytes exist, so
 * the catalog holds each version once, as objects until served and as bytes after.
 */
export class CatalogRow implements RecencyKey {
  readonly name: string;
  readonly version: string;
  readonly status: ServerStatus;
  readonly deleted: boolean;
  /** The source flagged this version as the latest (upstream registries do). */
  readonly declaredLatest: boolean;
  readonly semver: semver.SemVer | null;
  readonly publishedAtMs: number;
  readonly updatedAtMs: number;
  /** Lowercase name, title and description, separated by NUL so a search cannot span two fields. */
  readonly searchText: string;
  /**
   * Everything besides the key and `isLatest` that the served JSON depends on: the content hash
   * (server.json, status and status message) and the instants. Equal revisions give equal JSON.
   */
  readonly revision: string;
  /** The stored entry, until its JSON is made. */
  #stored: StoredEntry | undefined;
  /** The JSON made from the stored entry, and the `isLatest` it was made with. */
  #bytes: Buffer | undefined;
  #bytesLatest = false;
  /** The served entry for `isLatest` false (index 0) and true (index 1), made on first use. */
  readonly #entries: [IndexedEntry | undefined, IndexedEntry | undefined] = [undefined, undefined];

  /**
   * @param texts search texts already made for other rows: an equal text is shared rather than
   *   kept again (the versions of a server usually have the same one), which also lets a search
   *   tell them apart by identity.
   */
  constructor(stored: StoredEntry, texts?: Map<string, string>) {
    const { server } = stored;
    this.#stored = stored;
    this.name = server.name;
    this.version = server.version;
    this.status = stored.status;
    this.deleted = stored.status === 'deleted';
    this.declaredLatest = stored.isLatest === true;
    this.semver = semver.parse(server.version);
    this.publishedAtMs = instantMs(stored.publishedAt);
    this.updatedAtMs = instantMs(stored.updatedAt);
    const searchText = `${server.name}\0${server.title ?? ''}\0${server.description ?? ''}`.toLowerCase();
    const shared = texts?.get(searchText);
    if (shared === undefined) texts?.set(searchText, searchText);
    this.searchText = shared ?? searchText;
    this.revision = [
      stored.contentHash,
      stored.status,
      stored.statusMessage ?? '',
      stored.statusChangedAt,
      stored.publishedAt,
      stored.updatedAt,
    ].join('\0');
  }

  /** The served entry with the given `isLatest`; built once per value. */
  entry(isLatest: boolean): IndexedEntry {
    const slot = isLatest ? 1 : 0;
    return (this.#entries[slot] ??= new ServedEntry(this, isLatest));
  }

  /**
   * The response JSON with the given `isLatest`, as bytes. The first call serialises the stored
   * entry (and lets it go); a call with the other `isLatest` copies those bytes with the flag changed.
   */
  bytes(isLatest: boolean): Buffer {
    if (this.#bytes === undefined) {
      const stored = this.#stored as StoredEntry;
      this.#bytes = Buffer.from(responseJson(stored, isLatest));
      this.#bytesLatest = isLatest;
      this.#stored = undefined;
      return this.#bytes;
    }
    return this.#bytesLatest === isLatest ? this.#bytes : withIsLatest(this.#bytes, isLatest);
  }
}

/**
 * `{"server":…,"_meta":{"io.modelcontextprotocol.registry/official":{…}}}`, as the official
 * registry. `isLatest` is the last member, so the JSON ends with `"isLatest":<flag>}}}`.
 */
function responseJson(stored: StoredEntry, isLatest: boolean): string {
  const official: OfficialMeta = {
    status: stored.status,
    ...(stored.statusMessage === undefined ? {} : { statusMessage: stored.statusMessage }),
    statusChangedAt: stored.statusChangedAt,
    publishedAt: stored.publishedAt,
    updatedAt: stored.updatedAt,
    isLatest,
  };
  const meta = `{${OFFICIAL_KEY_JSON}:${JSON.stringify(official)}}`;
  return `{"server":${JSON.stringify(stored.server)},"_meta":${meta}}`;
}

const LATEST_TAIL = Buffer.from('"isLatest":true}}}');
const NOT_LATEST_TAIL = Buffer.from('"isLatest":false}}}');

/** The bytes of a {@link responseJson} with its `isLatest` flag set to `isLatest`. */
function withIsLatest(bytes: Buffer, isLatest: boolean): Buffer {
  const [from, to] = isLatest ? [NOT_LATEST_TAIL, LATEST_TAIL] : [LATEST_TAIL, NOT_LATEST_TAIL];
  const head = bytes.length - from.length;
  if (head < 0 || !bytes.subarray(head).equals(from)) throw new Error('served entry JSON does not end with its isLatest flag');
  return Buffer.concat([bytes.subarray(0, head), to]);
}

/** Epoch milliseconds of an RFC 3339 instant; 0 for an unreadable one, so comparisons stay total. */
function instantMs(text: string): number {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? 0 : ms;
}
