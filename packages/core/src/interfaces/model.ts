import type { ServerJSON } from '../model/server-json.js';

export type { ServerJSON };

/** Lifecycle status of a server version, as in the official registry. */
export type ServerStatus = 'active' | 'deprecated' | 'deleted';

/** Key of the registry-managed block in `_meta` of a server response. */
export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

/** Key of the publisher-provided block in `server._meta`. */
export const PUBLISHER_META_KEY = 'io.modelcontextprotocol.registry/publisher-provided';

/** Namespace of ToolHive's own fields inside the publisher-provided block. */
export const TOOLHIVE_META_NAMESPACE = 'io.github.stacklok';

/** The official registry's metadata for one server version (`_meta[OFFICIAL_META_KEY]`). */
export interface OfficialMeta {
  status: ServerStatus;
  statusMessage?: string;
  statusChangedAt?: string;
  publishedAt?: string;
  updatedAt?: string;
  isLatest?: boolean;
}

/**
 * One server version as a source delivers it, after format parsing: the server.json document plus
 * whatever registry metadata the source carried (an upstream registry's `_meta`, for example).
 */
export interface SourceEntry {
  server: ServerJSON;
  /** Registry metadata carried by the source; absent for plain files. */
  official?: Partial<OfficialMeta>;
}

/**
 * One server version as stored and served. Timestamps are resolved (never absent) and survive
 * across syncs: `publishedAt` is when this registry first saw the version (or the upstream value),
 * `updatedAt` changes only when `contentHash` changes.
 */
export interface StoredEntry {
  server: ServerJSON;
  status: ServerStatus;
  statusMessage?: string;
  /** RFC 3339. */
  publishedAt: string;
  /** RFC 3339. */
  updatedAt: string;
  /** RFC 3339. */
  statusChangedAt: string;
  /** Hash of the canonical server JSON and status; decides whether `updatedAt` moves. */
  contentHash: string;
  /**
   * `isLatest` as the source declared it (an upstream registry's own flag). When a server has a
   * version flagged true it is the latest; otherwise the latest is computed (semver, then time).
   */
  isLatest?: boolean;
}

/** Why one entry of a source document was skipped. */
export interface SkippedEntry {
  /** The entry's name (or its key / index in the document when it has none). */
  name: string;
  version?: string;
  reason: string;
}

/** The result of parsing one registry document. */
export interface ParsedDocument {
  format: DocumentFormat;
  entries: SourceEntry[];
  skipped: SkippedEntry[];
}

/** The document formats thv-registry understands. */
export type DocumentFormat = 'toolhive' | 'upstream-wrapped' | 'upstream-list' | 'upstream-array';

/** What a config's `source.format` may say; `upstream` covers every upstream shape. */
export type FormatHint = 'toolhive' | 'upstream';
