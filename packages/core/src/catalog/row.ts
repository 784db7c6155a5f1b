import semver from 'semver';
import type { CatalogEntry } from '../interfaces/catalog.js';
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
}

const OFFICIAL_KEY_JSON = JSON.stringify(OFFICIAL_META_KEY);

/**
 * One stored server version with everything a request needs worked out once: its key, parsed
 * version and instants, lowercase search text, and its response JSON. A row is shared by its
 * registry's view and the aggregated view, so an entry is serialised once for both unless they
 * disagree on `isLatest`.
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
  readonly #stored: StoredEntry;
  /** The served entry for `isLatest` false (index 0) and true (index 1), made on first use. */
  readonly #entries: [IndexedEntry | undefined, IndexedEntry | undefined] = [undefined, undefined];

  constructor(stored: StoredEntry) {
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
    this.searchText = `${server.name}\0${server.title ?? ''}\0${server.description ?? ''}`.toLowerCase();
  }

  /** The served entry with the given `isLatest`; built once per value. */
  entry(isLatest: boolean): IndexedEntry {
    const slot = isLatest ? 1 : 0;
    return (this.#entries[slot] ??= {
      name: this.name,
      version: this.version,
      status: this.status,
      isLatest,
      updatedAtMs: this.updatedAtMs,
      json: this.#json(isLatest),
      row: this,
    });
  }

  /** `{"server":…,"_meta":{"io.modelcontextprotocol.registry/official":{…}}}`, as the official registry. */
  #json(isLatest: boolean): string {
    const stored = this.#stored;
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
}

/** Epoch milliseconds of an RFC 3339 instant; 0 for an unreadable one, so comparisons stay total. */
function instantMs(text: string): number {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? 0 : ms;
}
