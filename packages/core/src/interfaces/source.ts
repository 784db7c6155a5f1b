import type { Logger } from './logger.js';
import type { FormatHint, SourceEntry } from './model.js';
import type { JsonValue } from './status.js';

/** What a source plugin's `create` receives besides its own config block. */
export interface SourceContext {
  /** Name of the registry this source feeds. */
  registryName: string;
  /** Logger bound to `{ registry, source }`. Never log secrets. */
  logger: Logger;
  /**
   * Directory this source may use for caches, kept across restarts. The plugin creates it when it
   * first writes there, so that `validate` and read-only uses leave no trace.
   */
  dataDir: string;
  /** Directory of the config file; relative paths in the block are relative to it. */
  configDir: string;
  /** Resolves a path from the config block against {@link configDir}. */
  resolvePath(path: string): string;
  /** The `format` hint of the source config, if any. */
  format?: FormatHint;
}

/** One fetch request from the sync coordinator. */
export interface SourceFetchRequest {
  /** Aborted on shutdown or when the sync times out; a fetch must stop promptly. */
  signal: AbortSignal;
  /** What the last successful fetch returned; absent on the first fetch. */
  previous?: {
    fingerprint?: string;
    state?: JsonValue;
  };
  /** The source may skip work and answer `unchanged` when it can tell cheaply. False forces a full fetch. */
  allowUnchanged: boolean;
}

/** The source saw nothing new since `previous`. */
export interface SourceUnchanged {
  unchanged: true;
  /** New state to persist (optional). */
  state?: JsonValue;
}

/** Data delivered by a fetch. */
export interface SourceData {
  unchanged?: false;
  /**
   * Raw registry documents (parsed JSON) in any format core understands (ToolHive legacy,
   * upstream wrapped file, official API page, bare array). Core detects, converts and validates.
   */
  documents?: unknown[];
  /** Entries already in server.json form (with optional registry metadata). */
  entries?: SourceEntry[];
  /** Identifies the content: equal fingerprints mean equal data. */
  fingerprint: string;
  /**
   * `full` (default): the data replaces the registry's entries. `delta`: the entries are upserts
   * applied over the last committed data (an entry with status `deleted` marks it deleted).
   */
  mode?: 'full' | 'delta';
  /** State to give back on the next fetch (cursor, last seen update …). */
  state?: JsonValue;
}

/** The result of {@link SourceHandler.fetch}. */
export type SourceFetchResult = SourceUnchanged | SourceData;

/**
 * A live source, made by a source plugin's `create`. Throw a `SourceError` with a clear message
 * on failure; the coordinator keeps the last good data.
 */
export interface SourceHandler {
  fetch(request: SourceFetchRequest): Promise<SourceFetchResult>;
  /** A short description for logs and `validate` (never secrets), e.g. `file /etc/registry.json`. */
  describe(): string;
  /** Releases resources (connections, watchers). */
  close?(): Promise<void>;
}
