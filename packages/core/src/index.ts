/**
 * @thv/registry-core: the model, formats, configuration, plugin contracts and loader, catalog,
 * sync and the MCP Registry HTTP API of thv-registry. Plugin authors need only the
 * `define…Plugin` helpers, the interfaces, the errors and the helpers for source plugins; hosts
 * embedding the API use `registryApi` / `buildApp` with a `Catalog`.
 */
export * from './errors.js';
export * from './interfaces/model.js';
export type * from './interfaces/status.js';
export type * from './interfaces/source.js';
export type * from './interfaces/storage.js';
export type * from './interfaces/config.js';
export type * from './interfaces/catalog.js';
export type * from './interfaces/logger.js';
export { CORE_VERSION } from './version.js';

export { PLUGIN_API_VERSION, defineSourcePlugin, defineStoragePlugin } from './plugins/define.js';
export type { AnyPlugin, PluginDefinition, PluginKind, SourcePlugin, StoragePlugin } from './plugins/define.js';
export { BUILT_IN_PLUGINS, candidatePackages, resolvePlugin } from './plugins/loader.js';
export type { PluginSearchPath, ResolvedPlugin } from './plugins/loader.js';
export { assertMethods, createSource, createStorage, type PluginEnvironment } from './plugins/instantiate.js';

export { DURATION_PATTERN, parseDuration } from './config/duration.js';
export { loadConfig } from './config/load-config.js';
export { parseConfig } from './config/parse-config.js';
export { validateBlock } from './config/validate-block.js';
export { parseAddress } from './config/address.js';
export { createConfigError, formatErrorDetail } from './config/config-error.js';

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
export { assertFormatHint, detectFormat } from './formats/detect.js';
export { parseDocument } from './formats/parse.js';
export { imageEntryToServer, remoteEntryToServer } from './formats/toolhive-to-server.js';
export { serverToToolhive, type ToolhiveConversion } from './formats/server-to-toolhive.js';
export { toolhiveExtensions, toolhiveMeta, toolhiveTags } from './formats/toolhive-meta.js';
export type * from './formats/toolhive-types.js';

// Helpers for source plugins
export { parseJsonDocument, describeJsonSyntaxError } from './source-kit/parse-json-document.js';
export { readBodyCapped } from './source-kit/read-body.js';
export { describeNetworkFailure } from './source-kit/network-failure.js';
export { parseHttpUrl } from './source-kit/http-url.js';

export { Catalog } from './catalog/catalog.js';
export { compareUtf8 } from './catalog/byte-order.js';
export { compileFilter, filterHash, type EntryFilter } from './filter/filter.js';

export { buildSnapshot, entryKey, type BuiltSnapshot, type SnapshotMode } from './sync/snapshot.js';
export { collectEntries, gatherEntries, type CollectedEntries, type GatheredEntries } from './sync/collect.js';
export { SyncCoordinator, type Readiness, type SyncCoordinatorOptions, type SyncOutcome } from './sync/coordinator.js';
export { createRuntime, RegistryRuntime, type RuntimeOptions } from './runtime/registry-runtime.js';
export type { RetryPolicy } from './runtime/retry-until.js';

export { buildApp, type AppOptions } from './http/app.js';
export { registryApi } from './http/registry-api.js';
export type { ReadinessReport, RegistryApiOptions, RegistrySummary, VersionInfo } from './http/options.js';
export { toProblem, PROBLEM_CONTENT_TYPE, type Problem } from './http/problem.js';

// Export of a registry
export type { ExportSkip } from './export/catalog-entries.js';
export { exportUpstream, UPSTREAM_REGISTRY_SCHEMA_URL, type FileExportOptions, type UpstreamExport, type UpstreamRegistryDocument } from './export/upstream-export.js';
export { exportToolhive, TOOLHIVE_REGISTRY_SCHEMA_URL, type ToolhiveExport, type ToolhiveRegistryDocument } from './export/toolhive-export.js';
export { exportStaticSite, STATIC_INDEX_FILE, type StaticFile, type StaticSite } from './export/static-export.js';
export { outputProblem, writeFileAtomically, writeTreeAtomically, type OutputKind, type WriteOptions } from './export/write-output.js';
