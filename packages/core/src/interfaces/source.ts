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
  /**
   * Optional: for a source that learns of changes as they happen (a watch, a webhook). The
   * coordinator calls it once when it starts syncing; the source calls `onChange` whenever its
   * data may have changed, and the coordinator syncs the registry within moments instead of at
   * the next interval (changes during a sync lead to one more sync after it). Returns the
   * function that stops the notifications. A source without it is synced on its interval only.
   */
  watch?(onChange: () => void): () => void;
  /**
   * Optional: the server instances this source sees running (exported to the registry or not),
   * which `GET /api/v0/deployed` lists. Called on every such request: answer from memory, never
   * from the network. A source of deployed servers (such as the `kubernetes` source) implements
   * it; the others leave it out.
   */
  deployed?(): readonly DeployedServer[];
}

/** A running instance of an MCP server, as {@link SourceHandler.deployed} reports it. */
export interface DeployedServer {
  /** The workload's name (a Kubernetes resource name). */
  name: string;
  /** Where it runs (a Kubernetes namespace). */
  namespace: string;
  /** What kind of workload it is, e.g. `MCPServer`, `VirtualMCPServer`, `MCPRemoteProxy`. */
  kind: string;
  /**
   * The registry server name it runs (`io.github.acme/weather`), when known: from an annotation,
   * else from its image. `GET /api/v0/deployed/{name}` selects by it.
   */
  serverName?: string;
  /** Whether it is exported to the registry as an entry of its own. */
  exported: boolean;
  /** The container image, for a workload that runs one. */
  image?: string;
  /** `stdio`, `streamable-http`, `sse` … as the workload declares it. */
  transport?: string;
  /** Where clients reach it. */
  url?: string;
  /** Its lifecycle phase as its status reports it (`Running`, `Pending`, `Failed` …). */
  phase?: string;
  /** Whether its status says it is ready to serve. */
  ready?: boolean;
  /** RFC 3339: when the workload was created. */
  createdAt?: string;
}
