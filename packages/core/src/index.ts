/**
 * `@thv/registry-core`: the plugin API of thv-registry. It holds what a source or storage plugin
 * needs and nothing else: the `define…Plugin` helpers, the plugin contracts and the model types,
 * the errors, the `server.json` schema and validator, and the helpers the built-in sources share.
 *
 * Two subpaths complete it:
 * - `@thv/registry-core/host`: what an application hosting plugins needs (config loading, the
 *   plugin loader, formats, catalog, sync, runtime, the HTTP API, export);
 * - `@thv/registry-core/testing`: the contract test kit for plugins.
 */

// Errors: every failure that reaches a user is a `RegistryError` with a stable code.
export * from './errors.js';

// The model.
export { OFFICIAL_META_KEY, PUBLISHER_META_KEY } from './interfaces/model.js';
export type { FormatHint, OfficialMeta, ServerJSON, ServerStatus, SkippedEntry, SourceEntry, StoredEntry } from './interfaces/model.js';
export type { JsonValue, SyncPhase, SyncStatus } from './interfaces/status.js';
export type { Logger } from './interfaces/logger.js';

// The contracts of source and storage plugins.
export type * from './interfaces/source.js';
export type * from './interfaces/storage.js';
export type { DatabaseConfig } from './interfaces/config.js';
export { PLUGIN_API_VERSION, defineSourcePlugin, defineStoragePlugin } from './plugins/define.js';
export type { AnyPlugin, PluginDefinition, PluginKind, SourcePlugin, StoragePlugin } from './plugins/define.js';

// Durations in config blocks (`30s`, `1h30m`).
export { DURATION_PATTERN, parseDuration } from './config/duration.js';

// The server.json schema, its validator and its parts.
export { validateServer, type ServerValidation } from './model/validate.js';
export { serverSchema, SERVER_SCHEMA_URL } from './model/server-schema.js';
export type {
  Argument,
  Icon,
  Input,
  KeyValueInput,
  LocalTransport,
  NamedArgument,
  Package,
  PositionalArgument,
  RemoteTransport,
  Repository,
} from './model/server-json.js';

// Helpers for source plugins: errors worded like the built-in sources'.
export { parseJsonDocument, describeJsonSyntaxError } from './source-kit/parse-json-document.js';
export { readBodyCapped } from './source-kit/read-body.js';
export { describeNetworkFailure } from './source-kit/network-failure.js';
export { parseHttpUrl } from './source-kit/http-url.js';
export { raceAbort } from './source-kit/race-abort.js';

export { CORE_VERSION } from './version.js';
