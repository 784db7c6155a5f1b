import type { ServerStatus } from './model.js';

/** Query of a list of server versions (`GET /v0.1/servers`). */
export interface ListQuery {
  /** Opaque keyset cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** 1..100. */
  limit: number;
  /** Case-insensitive substring over name, title and description. */
  search?: string;
  /** Only entries updated strictly after this instant (epoch milliseconds). */
  updatedSince?: number;
  /** `latest` or an exact version. */
  version?: string;
  /** Include entries with status `deleted`. */
  includeDeleted: boolean;
}

/** One server version ready to serve. */
export interface CatalogEntry {
  readonly name: string;
  readonly version: string;
  readonly status: ServerStatus;
  readonly isLatest: boolean;
  /** Epoch milliseconds of `updatedAt`. */
  readonly updatedAtMs: number;
  /** `{"server":…,"_meta":{…official…}}`, serialised once when the catalog was built. */
  readonly json: string;
}

/** One page of a list. */
export interface ListPage {
  readonly items: readonly CatalogEntry[];
  /** Present only when more rows exist. */
  readonly nextCursor?: string;
}

/** A read-only, precomputed view of server versions (one registry, or all of them aggregated). */
export interface CatalogView {
  /** Changes whenever the view's content changes; the base of ETags. */
  readonly generation: string;
  readonly serverCount: number;
  readonly versionCount: number;
  /** A page in (name, version) byte order. Throws `InvalidParameterError` for a bad cursor. */
  list(query: ListQuery): ListPage;
  /** Every version of a server, newest first; undefined when the server has none visible. */
  versions(name: string, includeDeleted: boolean): readonly CatalogEntry[] | undefined;
  /** One version (`latest` is an alias); undefined when absent. */
  get(name: string, version: string, includeDeleted: boolean): CatalogEntry | undefined;
}

/** What the HTTP layer reads: the aggregated view and one view per registry. */
export interface CatalogReader {
  aggregated(): CatalogView;
  /** Undefined for a registry that is not configured. */
  registry(name: string): CatalogView | undefined;
  /** Configured registry names, in precedence order. */
  registryNames(): readonly string[];
}
